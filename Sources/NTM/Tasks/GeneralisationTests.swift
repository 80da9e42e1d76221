/// The paper's generalisation tests: a test sequence of a given size drawn
/// from a (training) task, with the size checked first so that input from
/// the command line throws instead of trapping. The sizes each task is
/// tested at by default are its `TaskDescriptor.testSizes`; how a task
/// counts sizes is its `SizedTask` conformance.
public enum GeneralisationTests {
    /// Number of time steps of a sequence of `size` from `task`; throws if
    /// the size does not apply to the task.
    public static func steps(_ size: TestSize, of task: any SizedTask) throws(TaskError) -> Int {
        guard size.count >= 1, size.count <= TaskLimits.maxSize,
              (size.second ?? 1) >= 1, (size.second ?? 1) <= TaskLimits.maxSize else {
            throw TaskError("size '\(size)' must be made of numbers from 1 to \(TaskLimits.maxSize)")
        }
        try task.checkApplies(size)
        return task.steps(at: size)
    }

    /// One sequence of `size` drawn like `task`'s training sequences (same
    /// widths, channels and normalisation), throwing — never trapping — if
    /// the size does not apply to the task or the sequence would be larger
    /// than `TaskLimits.maxSequenceValues`.
    public static func sample(_ task: any SizedTask, size: TestSize,
                              using rng: inout SeededGenerator) throws(TaskError) -> TaskSequence {
        let steps = try steps(size, of: task)
        let values = steps.multipliedReportingOverflow(by: task.inputSize + task.outputSize)
        if values.overflow || values.partialValue > TaskLimits.maxSequenceValues {
            throw TaskError("size '\(size)' would make a sequence of more than "
                            + "\(TaskLimits.maxSequenceValues) values (steps × channels)")
        }
        return task.sample(at: size, using: &rng)
    }
}
