/// A task whose sequences can also be drawn at a chosen `TestSize`, inside
/// or beyond its training range: what the paper's generalisation tests, the
/// held-out convergence check and the sequence pictures need. Every
/// descriptor builds one, so a new task cannot be created by name until it
/// says how its sizes work. `GeneralisationTests` checks a size before it
/// reaches `steps(at:)` or `sample(at:using:)`.
public protocol SizedTask: SequenceTask {
    /// The largest size in the training distribution: the hardest case the
    /// network is trained on, used for the held-out convergence check.
    var largestTrainingSize: TestSize { get }
    /// A size for a picture of one sequence: inside the training range and
    /// short enough to read.
    var pictureSize: TestSize { get }
    /// True if sequences of `size` occur in the training distribution.
    func isInTrainingRange(_ size: TestSize) -> Bool
    /// Throws unless `size` means something for this task (its numbers are
    /// already known to be from 1 to `TaskLimits.maxSize`).
    func checkApplies(_ size: TestSize) throws(TaskError)
    /// Time steps of a sequence of `size`, one that applies.
    func steps(at size: TestSize) -> Int
    /// One sequence of `size`, drawn like the training sequences (same
    /// widths, channels and normalisation).
    func sample(at size: TestSize, using rng: inout SeededGenerator) -> TaskSequence
}
