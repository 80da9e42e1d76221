/// The polish phase of a training run: what follows convergence, and when
/// the run may stop.
///
/// When the training window first meets the convergence criterion
/// (`ConvergenceTracker.isConverged`), the run starts polishing: its
/// learning rate drops to `rateFactor` times what it was, for the rest of
/// the run, and it trains at least `sequences` more sequences. Once those are
/// trained the run may stop as soon as it is converged (a caller may ask
/// for more before it stops, e.g. a held-out check). With `sequences == 0`
/// there is no polish: the run may stop at convergence, at its full rate.
///
/// Where the phase began (`startedAt`) is the only state. A run that saves
/// it with its model and passes it back on resume goes on polishing at the
/// rate its optimiser already holds, and ends the phase at the same point.
public struct PolishSchedule: Equatable, Sendable {
    /// The default polish: 150,000 sequences at lr × 0.03 (docs/CLI.md: the
    /// copy seed tables that chose it). A long polish at a low rate: at
    /// lr × 0.1 the weights still drift far enough to relapse for tens of
    /// thousands of sequences; at lr × 0.01 they barely move and the
    /// sharper, longer-reaching solution is not found.
    public static let defaultSequences = 150_000
    /// The default polish rate relative to the run's (see `defaultSequences`).
    public static let defaultRateFactor = 0.03

    /// Sequences trained at the lower rate before the run may stop; 0: no polish.
    public let sequences: Int
    /// The polish phase's learning rate relative to the run's, in (0, 1].
    public let rateFactor: Double
    /// Sequences seen when the polish began, or nil if it has not begun.
    public private(set) var startedAt: Int?

    /// A schedule that polishes for `sequences` sequences at `rateFactor`
    /// times the run's rate; `startedAt` is where an earlier part of the run
    /// began to polish, when resuming one.
    public init(sequences: Int = defaultSequences, rateFactor: Double = defaultRateFactor, startedAt: Int? = nil) {
        precondition(sequences >= 0, "the polish phase cannot last a negative number of sequences")
        precondition(rateFactor > 0 && rateFactor <= 1, "the polish rate factor must be in (0, 1]")
        self.sequences = sequences
        self.rateFactor = rateFactor
        self.startedAt = startedAt
    }

    /// Whether the run polishes at all once it converges.
    public var isEnabled: Bool { sequences > 0 }

    /// Sequences seen when the phase may end (`startedAt + sequences`, at
    /// most `Int.max`); nil before it begins.
    public var end: Int? {
        guard let startedAt else { return nil }
        let (sum, overflow) = startedAt.addingReportingOverflow(sequences)
        return overflow ? Int.max : sum
    }

    /// The learning rate of the polish phase for a run trained at `learningRate`.
    public func polishRate(from learningRate: Double) -> Double {
        learningRate * rateFactor
    }

    /// Begins the polish if it is due: the schedule polishes, has not begun,
    /// and the run has `converged` (for the first time, then). It records
    /// `sequencesSeen` as the start, lowers `learningRate` to the polish
    /// rate, and returns true; otherwise it changes nothing.
    public mutating func startIfDue(converged: Bool, sequencesSeen: Int, learningRate: inout Double) -> Bool {
        guard isEnabled, startedAt == nil, converged else { return false }
        startedAt = sequencesSeen
        learningRate = polishRate(from: learningRate)
        return true
    }

    /// Sequences still to train in the phase after `sequencesSeen`, or nil
    /// if it has not begun or is over. A run that stops on convergence cuts
    /// its batches to this, so that the phase ends exactly at `end`.
    public func sequencesLeft(after sequencesSeen: Int) -> Int? {
        guard let end, sequencesSeen < end else { return nil }
        return end - sequencesSeen
    }

    /// Whether the run may stop after `sequencesSeen` sequences as far as
    /// convergence and the polish go: it has `converged`, and it has trained
    /// the whole polish phase (or it does not polish and never began to).
    /// Call `startIfDue` first, so that the first convergence begins the
    /// phase rather than ending the run.
    public func mayEnd(converged: Bool, sequencesSeen: Int) -> Bool {
        guard converged else { return false }
        guard let end else { return !isEnabled }
        return sequencesSeen >= end
    }

    /// How a converged run ended.
    public enum Ending: Equatable, Sendable {
        /// It stopped at convergence, without polishing.
        case converged
        /// It trained the whole polish phase and stopped because it was
        /// converged after it.
        case polished
        /// A budget (of sequences or time) stopped it: before the phase was
        /// over, or when it was but before the run could stop on its own.
        case polishCutShort
    }

    /// How a run that converged ended after `sequencesSeen` sequences;
    /// `stoppedByBudget` says that a budget stopped it, not the convergence
    /// rule.
    public func ending(sequencesSeen: Int, stoppedByBudget: Bool) -> Ending {
        guard let end else { return .converged }
        return sequencesSeen >= end && !stoppedByBudget ? .polished : .polishCutShort
    }
}
