/// The size of one test sequence, counted the way each task counts it:
///
/// | task | `count` | `second` |
/// | --- | --- | --- |
/// | copy | vectors to copy `L` | — |
/// | repeat copy | vectors `L` | repeats `R` (default: the most trained on) |
/// | associative recall | items | — |
/// | dynamic N-grams | bits per sequence | — |
/// | priority sort | input vectors | output vectors (default: the trained proportion) |
///
/// Written `"20"` or `"10x20"`.
public struct TestSize: Hashable, Sendable, CustomStringConvertible {
    public var count: Int
    public var second: Int?

    public init(_ count: Int, _ second: Int? = nil) {
        self.count = count
        self.second = second
    }

    /// Parses `"N"` or `"NxM"` (positive integers; `×` is accepted for `x`).
    public init?(parsing text: String) {
        let parts = String(text.map { $0 == "×" || $0 == "X" ? "x" : $0 })
            .split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              let first = Int(parts[0]), first >= 1 else { return nil }
        var second: Int? = nil
        if parts.count == 2 {
            guard let s = Int(parts[1]), s >= 1 else { return nil }
            second = s
        }
        self.init(first, second)
    }

    public var description: String { second.map { "\(count)x\($0)" } ?? "\(count)" }
}

/// The paper's generalisation tests: how to draw a test sequence of a given
/// size from a (training) task. The sizes each task is tested at by default
/// are its `TaskDescriptor.testSizes`.
public enum GeneralisationTests {
    /// A size for a picture of one sequence: inside the training range and
    /// short enough to read (copy 10, repeat copy 5×3, associative recall 4
    /// items, N-grams 60 bits, priority sort as trained), clipped to what
    /// `task` trains on.
    public static func pictureSize(for task: any SequenceTask) -> TestSize {
        switch task {
        case let t as CopyTask: return TestSize(min(max(10, t.minLength), t.maxLength))
        case let t as RepeatCopyTask:
            return TestSize(min(max(5, t.minLength), t.maxLength), min(max(3, t.minRepeats), t.maxRepeats))
        case let t as AssociativeRecallTask: return TestSize(min(max(4, t.minItems), t.maxItems))
        case let t as DynamicNGramTask: return TestSize(min(60, t.length))
        case let t as PrioritySortTask: return TestSize(t.inputCount, t.outputCount)
        default: return TestSize(1)
        }
    }

    /// The largest size in `task`'s training distribution (copy: the longest
    /// sequence; repeat copy: longest × most repeats; associative recall:
    /// the most items; N-grams and priority sort: as trained): the hardest
    /// case the network is trained on, used for the held-out convergence check.
    public static func largestTrainingSize(of task: any SequenceTask) -> TestSize {
        switch task {
        case let t as CopyTask: return TestSize(t.maxLength)
        case let t as RepeatCopyTask: return TestSize(t.maxLength, t.maxRepeats)
        case let t as AssociativeRecallTask: return TestSize(t.maxItems)
        case let t as DynamicNGramTask: return TestSize(t.length)
        case let t as PrioritySortTask: return TestSize(t.inputCount, t.outputCount)
        default: return TestSize(1)
        }
    }

    /// True if sequences of this size occur in `task`'s training distribution.
    public static func isInTrainingRange(_ size: TestSize, of task: any SequenceTask) -> Bool {
        switch task {
        case let t as CopyTask: return (t.minLength...t.maxLength).contains(size.count)
        case let t as RepeatCopyTask:
            return (t.minLength...t.maxLength).contains(size.count)
                && (t.minRepeats...t.maxRepeats).contains(size.second ?? t.maxRepeats)
        case let t as AssociativeRecallTask: return (t.minItems...t.maxItems).contains(size.count)
        case let t as DynamicNGramTask: return size.count == t.length
        case let t as PrioritySortTask:
            return size.count == t.inputCount && resolvedOutputs(size, t) == t.outputCount
        default: return false
        }
    }

    private static func resolvedOutputs(_ size: TestSize, _ t: PrioritySortTask) -> Int {
        if let s = size.second { return s }
        let scaled = (Double(size.count) * Double(t.outputCount) / Double(t.inputCount)).rounded()
        return min(size.count, max(1, Int(scaled)))
    }

    /// Number of time steps of a sequence of `size` from `task`; throws if
    /// the size does not apply to the task.
    public static func steps(_ size: TestSize, of task: any SequenceTask) throws(TaskError) -> Int {
        try check(size, task)
        switch task {
        case is CopyTask: return 2 * size.count + 1
        case let t as RepeatCopyTask:
            return RepeatCopyTask.sequenceLength(length: size.count, repeats: size.second ?? t.maxRepeats)
        case let t as AssociativeRecallTask: return t.sequenceLength(items: size.count)
        case is DynamicNGramTask: return size.count
        case let t as PrioritySortTask: return size.count + 1 + resolvedOutputs(size, t)
        default: throw TaskError("no generalisation tests for \(type(of: task))")
        }
    }

    private static func check(_ size: TestSize, _ task: any SequenceTask) throws(TaskError) {
        func noSecond(_ what: String) throws(TaskError) {
            if size.second != nil {
                throw TaskError("size '\(size)': \(what) takes a single number, not N×M")
            }
        }
        guard size.count >= 1, size.count <= TaskLimits.maxSize,
              (size.second ?? 1) >= 1, (size.second ?? 1) <= TaskLimits.maxSize else {
            throw TaskError("size '\(size)' must be made of numbers from 1 to \(TaskLimits.maxSize)")
        }
        switch task {
        case is CopyTask: try noSecond("copy (vectors to copy)")
        case is RepeatCopyTask: break
        case is AssociativeRecallTask:
            try noSecond("associative recall (number of items)")
            if size.count < 2 { throw TaskError("associative recall needs at least 2 items (got \(size.count))") }
        case is DynamicNGramTask: try noSecond("dynamic N-grams (bits per sequence)")
        case let t as PrioritySortTask:
            if resolvedOutputs(size, t) > size.count {
                throw TaskError("priority sort: size '\(size)' asks for more outputs than inputs")
            }
        default: throw TaskError("no generalisation tests for \(type(of: task))")
        }
    }

    /// One sequence of `size` drawn like `task`'s training sequences (same
    /// widths, channels and normalisation), throwing — never trapping — if
    /// the size does not apply to the task or the sequence would be larger
    /// than `TaskLimits.maxSequenceValues`.
    public static func sample(_ task: any SequenceTask, size: TestSize,
                              using rng: inout SeededGenerator) throws(TaskError) -> TaskSequence {
        let steps = try steps(size, of: task)
        let values = steps.multipliedReportingOverflow(by: task.inputSize + task.outputSize)
        if values.overflow || values.partialValue > TaskLimits.maxSequenceValues {
            throw TaskError("size '\(size)' would make a sequence of more than "
                            + "\(TaskLimits.maxSequenceValues) values (steps × channels)")
        }
        switch task {
        case let t as CopyTask: return t.sample(length: size.count, using: &rng)
        case let t as RepeatCopyTask:
            return t.sample(length: size.count, repeats: size.second ?? t.maxRepeats, using: &rng)
        case let t as AssociativeRecallTask: return t.sample(items: size.count, using: &rng)
        case let t as DynamicNGramTask:
            return DynamicNGramTask(order: t.order, length: size.count).sample(using: &rng)
        case let t as PrioritySortTask:
            return PrioritySortTask(width: t.width, inputCount: size.count,
                                    outputCount: resolvedOutputs(size, t)).sample(using: &rng)
        default: throw TaskError("no generalisation tests for \(type(of: task))")
        }
    }
}
