/// The priority-sort task (paper §4.5): random vectors, each with a scalar
/// priority; the network must emit the highest-priority ones in descending
/// order of priority. It tests whether the machine can use priorities to
/// decide where to write and then read memory in order.
///
/// Input channels (`width + 2`):
/// - `0..<width`: data bits, on steps `0..<inputCount`;
/// - `width`: the priority, uniform in [−1, 1), on the same steps;
/// - `width + 1`: the delimiter, 1 on step `inputCount`.
///
/// Then `outputCount` answer steps with zero input. Output channels: `width`;
/// the targets of the answer steps are the `outputCount` highest-priority
/// vectors, highest first (equal priorities keep their input order); only
/// the answer steps are masked. Total length `inputCount + 1 + outputCount`.
public struct PrioritySortTask: SequenceTask {
    public var width: Int
    public var inputCount: Int
    public var outputCount: Int

    public init(width: Int = 8, inputCount: Int = 20, outputCount: Int = 16) {
        precondition(width >= 1 && inputCount >= 1,
                     "priority-sort task needs width ≥ 1 and inputCount ≥ 1")
        precondition(outputCount >= 1 && outputCount <= inputCount,
                     "priority-sort task needs 1 ≤ outputCount ≤ inputCount")
        self.width = width
        self.inputCount = inputCount
        self.outputCount = outputCount
    }

    public var inputSize: Int { width + 2 }
    public var outputSize: Int { width }
    public var maxSequenceLength: Int { inputCount + 1 + outputCount }

    public func sample(using rng: inout SeededGenerator) -> TaskSequence {
        var seq = TaskSequence(length: maxSequenceLength, inputSize: inputSize, outputSize: outputSize)
        var priorities = [Float]()
        priorities.reserveCapacity(inputCount)
        for step in 0..<inputCount {
            for bit in 0..<width {
                seq[input: step, bit] = rng.bit() ? 1 : 0
            }
            // Drawn as Float so the stored priority is exactly the one sorted on.
            let priority = rng.uniform(Float(-1), Float(1))
            priorities.append(priority)
            seq[input: step, width] = priority
        }
        seq[input: inputCount, width + 1] = 1

        // Descending priority; ties go to the earlier position.
        let order = (0..<inputCount).sorted {
            priorities[$0] != priorities[$1] ? priorities[$0] > priorities[$1] : $0 < $1
        }
        let answerStart = inputCount + 1
        for rank in 0..<outputCount {
            let source = order[rank]
            seq.mask[answerStart + rank] = 1
            for bit in 0..<width {
                seq[target: answerStart + rank, bit] = seq[input: source, bit]
            }
        }
        return seq
    }
}

/// Sizes are inputs × outputs; without a second number, the trained
/// proportion of outputs.
extension PrioritySortTask: SizedTask {
    public var largestTrainingSize: TestSize { TestSize(inputCount, outputCount) }
    public var pictureSize: TestSize { TestSize(inputCount, outputCount) }
    public func isInTrainingRange(_ size: TestSize) -> Bool {
        size.count == inputCount && outputs(at: size) == outputCount
    }
    public func checkApplies(_ size: TestSize) throws(TaskError) {
        if outputs(at: size) > size.count {
            throw TaskError("priority sort: size '\(size)' asks for more outputs than inputs")
        }
    }
    public func steps(at size: TestSize) -> Int { size.count + 1 + outputs(at: size) }
    public func sample(at size: TestSize, using rng: inout SeededGenerator) -> TaskSequence {
        PrioritySortTask(width: width, inputCount: size.count, outputCount: outputs(at: size)).sample(using: &rng)
    }

    /// The outputs of a test size: its second number, or as many as trained
    /// in proportion to the inputs.
    private func outputs(at size: TestSize) -> Int {
        if let s = size.second { return s }
        let scaled = (Double(size.count) * Double(outputCount) / Double(inputCount)).rounded()
        return min(size.count, max(1, Int(scaled)))
    }
}
