/// One sequence of a task: `length` time steps, each with `inputSize` inputs
/// and `outputSize` targets, and a mask that says which steps' targets count
/// towards the loss (1) and which carry none (0). Arrays are step-major:
/// step `t`'s inputs are `inputs[t * inputSize ..< (t + 1) * inputSize]`.
public struct TaskSequence: Sendable, Equatable {
    public var length: Int
    public var inputSize: Int
    public var outputSize: Int
    public var inputs: [Float]
    public var targets: [Float]
    public var mask: [Float]

    /// A sequence of zeros (inputs, targets and mask).
    public init(length: Int, inputSize: Int, outputSize: Int) {
        self.length = length
        self.inputSize = inputSize
        self.outputSize = outputSize
        inputs = [Float](repeating: 0, count: length * inputSize)
        targets = [Float](repeating: 0, count: length * outputSize)
        mask = [Float](repeating: 0, count: length)
    }

    public subscript(input step: Int, channel: Int) -> Float {
        get { inputs[step * inputSize + channel] }
        set { inputs[step * inputSize + channel] = newValue }
    }

    public subscript(target step: Int, channel: Int) -> Float {
        get { targets[step * outputSize + channel] }
        set { targets[step * outputSize + channel] = newValue }
    }

    /// Number of steps whose targets count.
    public var maskedSteps: Int { mask.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}

/// A generator of sequences for one of the paper's experiments.
public protocol SequenceTask: Sendable {
    /// Input vector width, control channels included.
    var inputSize: Int { get }
    /// Target vector width.
    var outputSize: Int { get }
    /// The longest sequence (in time steps) `sample` can return.
    var maxSequenceLength: Int { get }
    /// Draws one sequence; all randomness comes from `rng`.
    func sample(using rng: inout SeededGenerator) -> TaskSequence
}

extension SequenceTask {
    /// Draws `count` sequences in order from one generator.
    public func batch(_ count: Int, using rng: inout SeededGenerator) -> [TaskSequence] {
        (0..<count).map { _ in sample(using: &rng) }
    }
}
