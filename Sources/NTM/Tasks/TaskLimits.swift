/// Bounds on what a caller may ask of a task, checked before anything is
/// allocated, so that input from the C API or the command line throws a
/// `TaskError` instead of trapping or exhausting memory.
public enum TaskLimits {
    /// Upper bound on every size option: far beyond any experiment, low
    /// enough that products of sizes cannot overflow.
    public static let maxSize = 100_000

    /// Upper bound on the number of values (steps × (input + output channels))
    /// of the longest sequence a task may produce, so that sampling cannot
    /// exhaust memory.
    public static let maxSequenceValues = 1 << 26
}
