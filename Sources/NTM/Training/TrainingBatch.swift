/// The sequences of one batch, for training (`Trainer`) or evaluation
/// (`BatchEvaluator`): arrays of `TaskSequence`, or caller-owned padded
/// buffers (what the C API receives), read in place so that an update from
/// them allocates nothing.
public enum TrainingBatch {
    case sequences([TaskSequence])
    case padded(PaddedBatch)

    public var count: Int {
        switch self {
        case .sequences(let s): return s.count
        case .padded(let p): return p.count
        }
    }

    func length(_ i: Int) -> Int {
        switch self {
        case .sequences(let s): return s[i].length
        case .padded(let p): return p.length(i)
        }
    }
}

/// `count` sequences padded to `maxLength` steps: inputs
/// `[count][maxLength][inputSize]`, targets `[count][maxLength][outputSize]`,
/// mask `[count][maxLength]`, and each sequence's length (all `maxLength`
/// when `lengths` is nil). The caller keeps the buffers alive and unchanged
/// during the call, and has checked that every length is in `1...maxLength`.
public struct PaddedBatch: @unchecked Sendable {
    public var count: Int
    public var maxLength: Int
    public var inputSize: Int
    public var outputSize: Int
    public var inputs: UnsafePointer<Float>
    public var targets: UnsafePointer<Float>
    public var mask: UnsafePointer<Float>
    public var lengths: UnsafePointer<UInt>?

    public init(count: Int, maxLength: Int, inputSize: Int, outputSize: Int,
                inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                lengths: UnsafePointer<UInt>?) {
        self.count = count
        self.maxLength = maxLength
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.inputs = inputs
        self.targets = targets
        self.mask = mask
        self.lengths = lengths
    }

    func length(_ i: Int) -> Int { lengths.map { Int($0[i]) } ?? maxLength }
}
