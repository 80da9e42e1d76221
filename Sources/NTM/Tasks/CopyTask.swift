/// The copy task (paper §4.1): `L` random `width`-bit vectors, then a
/// delimiter on its own input channel; the network must then emit the `L`
/// vectors while its inputs are zero. Total length `2L + 1`; the mask covers
/// the last `L` steps.
public struct CopyTask: SequenceTask {
    public var width: Int
    public var minLength: Int
    public var maxLength: Int

    public init(width: Int = 8, minLength: Int = 1, maxLength: Int = 20) {
        precondition(width >= 1 && minLength >= 1 && maxLength >= minLength,
                     "copy task needs width ≥ 1 and 1 ≤ minLength ≤ maxLength")
        self.width = width
        self.minLength = minLength
        self.maxLength = maxLength
    }

    public var inputSize: Int { width + 1 }
    public var outputSize: Int { width }
    public var maxSequenceLength: Int { 2 * maxLength + 1 }

    public func sample(using rng: inout SeededGenerator) -> TaskSequence {
        sample(length: rng.integer(in: minLength...maxLength), using: &rng)
    }

    /// A sequence of exactly `length` vectors to copy.
    public func sample(length: Int, using rng: inout SeededGenerator) -> TaskSequence {
        var seq = TaskSequence(length: 2 * length + 1, inputSize: inputSize, outputSize: outputSize)
        for step in 0..<length {
            for bit in 0..<width {
                let value: Float = rng.bit() ? 1 : 0
                seq[input: step, bit] = value
                seq[target: length + 1 + step, bit] = value
            }
        }
        seq[input: length, width] = 1
        for step in (length + 1)...(2 * length) { seq.mask[step] = 1 }
        return seq
    }
}

/// Sizes count the vectors to copy.
extension CopyTask: SizedTask {
    public var largestTrainingSize: TestSize { TestSize(maxLength) }
    public var pictureSize: TestSize { TestSize(min(max(10, minLength), maxLength)) }
    public func isInTrainingRange(_ size: TestSize) -> Bool { (minLength...maxLength).contains(size.count) }
    public func checkApplies(_ size: TestSize) throws(TaskError) { try size.requireSingle("copy (vectors to copy)") }
    public func steps(at size: TestSize) -> Int { 2 * size.count + 1 }
    public func sample(at size: TestSize, using rng: inout SeededGenerator) -> TaskSequence {
        sample(length: size.count, using: &rng)
    }
}
