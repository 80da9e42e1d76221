/// One worker's conversion buffers: a sequence of a batch, read from its
/// `Float` arrays or from a caller's padded buffers, as `T` (what the tape
/// computes in). Kept per worker and reused, so that a steady state of
/// training or evaluation allocates nothing per sequence.
final class SequenceStaging<T: NTMScalar> {
    private(set) var inputs: [T] = [], targets: [T] = [], mask: [T] = []
    private(set) var length = 0

    /// Replaces the buffers' contents with sequence `i` of `batch`.
    func load(_ batch: TrainingBatch, _ i: Int) {
        inputs.removeAll(keepingCapacity: true)
        targets.removeAll(keepingCapacity: true)
        mask.removeAll(keepingCapacity: true)
        switch batch {
        case .sequences(let sequences):
            let s = sequences[i]
            length = s.length
            for x in s.inputs { inputs.append(T(x)) }
            for y in s.targets { targets.append(T(y)) }
            for m in s.mask { mask.append(T(m)) }
        case .padded(let p):
            length = p.length(i)
            let x = p.inputs + i * p.maxLength * p.inputSize, y = p.targets + i * p.maxLength * p.outputSize
            let m = p.mask + i * p.maxLength
            for k in 0..<length * p.inputSize { inputs.append(T(x[k])) }
            for k in 0..<length * p.outputSize { targets.append(T(y[k])) }
            for k in 0..<length { mask.append(T(m[k])) }
        }
    }
}
