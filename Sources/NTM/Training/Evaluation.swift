/// What one sequence cost the network, and what it output.
public struct SequenceEvaluation: Sendable, Equatable {
    /// Cross-entropy over the masked steps, in bits.
    public var lossBits: Double
    /// Outputs on the wrong side of ½ over the masked steps.
    public var bitErrors: Int
    /// Output probabilities, step-major (`length × outputSize`); empty when
    /// the caller did not ask to keep them (`EvaluationOutputs`).
    public var outputs: [Float]
}

/// Forward passes without gradients, one sequence at a time, on the calling
/// thread: the cost of a sequence and what the network outputs on it. Its
/// tape and conversion buffers are reused from one sequence to the next.
/// For a batch, and for several threads, see `BatchEvaluator`, which runs
/// one of these per worker.
public final class Evaluator<T: NTMScalar> {
    public let network: Network<T>
    private let tape: SequenceTape<T>
    private let staging = SequenceStaging<T>()

    /// The name `evaluate(_:)`'s result had in 0.1.0.
    public typealias Result = SequenceEvaluation

    public init(network: Network<T>) {
        self.network = network
        tape = SequenceTape(machine: network.machine)
    }

    /// `sequence`'s cost, bit errors and outputs.
    public func evaluate(_ sequence: TaskSequence) -> SequenceEvaluation {
        precondition(sequence.inputSize == network.config.inputSize && sequence.outputSize == network.config.outputSize,
                     "sequence widths do not match the network")
        return evaluate(.sequences([sequence]), 0, outputs: .kept)
    }

    /// Sequence `i` of `batch` (whose widths the caller has checked), its
    /// outputs kept, written or dropped as `outputs` says; with `.padded`,
    /// they go to sequence `i`'s row of the caller's buffer.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func evaluate(_ batch: TrainingBatch, _ i: Int, outputs: EvaluationOutputs) -> SequenceEvaluation {
        staging.load(batch, i)
        let length = staging.length
        tape.forward(UnsafePointer(network.parameters.baseAddress!), inputs: staging.inputs, length: length)
        let (loss, errors) = tape.loss(targets: staging.targets, mask: staging.mask)
        var result = SequenceEvaluation(lossBits: loss / Double.log(2), bitErrors: errors, outputs: [])
        let width = network.config.outputSize
        switch outputs {
        case .dropped:
            break
        case .kept:
            result.outputs = [Float](unsafeUninitializedCapacity: length * width) { buffer, count in
                // No storage, hence no base address, when there is nothing to copy.
                if let start = buffer.baseAddress { copyOutputs(to: start) }
                count = length * width
            }
        case .padded(let buffer, let maxLength):
            precondition(length <= maxLength, "a sequence is longer than the padded outputs' max length")
            let row = buffer + i * maxLength * width
            copyOutputs(to: row)
            (row + length * width).update(repeating: 0, count: (maxLength - length) * width)
        }
        return result
    }

    /// The last forward pass's output probabilities, step-major, as `Float`.
    private func copyOutputs(to destination: UnsafeMutablePointer<Float>) {
        let width = network.config.outputSize
        for t in 0..<tape.length {
            let y = tape.outputs(step: t), row = destination + t * width
            for j in 0..<width { row[j] = Float(y[j]) }
        }
    }
}
