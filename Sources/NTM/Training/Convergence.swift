/// When a training run counts as converged, and a tracker that decides it
/// from the sequences the trainer has just seen.
///
/// The criterion is a moving window over the most recent `window` training
/// sequences (drawn from the training distribution, scored with the
/// parameters current at the time each was trained on): the run has
/// converged once the window is full and the mean of the task's measure
/// over it is below `threshold`.
///
/// - Bit-vector tasks (copy, repeat copy, associative recall, priority
///   sort): the measure is bit errors per sequence. Copy, repeat copy and
///   associative recall must be all but perfect (mean < 0.01: at most 9 bit
///   errors in 1000 sequences); priority sort, whose nearly equal
///   priorities make a few swaps unavoidable, converges below 1 bit error
///   per sequence.
/// - Dynamic N-grams: the targets are random, so bit errors say nothing;
///   the measure is the excess cost, the network's cost minus the optimal
///   Bayesian estimator's cost on the same sequence (bits per sequence),
///   and the run converges below 2 bits (the paper's NTM is ≈ 1.5 bits
///   above the optimum, its LSTM ≈ 5.5).
///
/// Each task's criterion is its `TaskDescriptor.convergence`.
///
/// Scoring the training sequences costs nothing extra; because the weights
/// change while the window fills it is slightly pessimistic.
public struct ConvergenceCriterion: Equatable, Sendable {
    public enum Measure: String, Sendable, CaseIterable {
        /// Bit errors per sequence (outputs on the wrong side of ½).
        case bitErrors = "bit-errors"
        /// Cost minus the optimal estimator's cost, bits per sequence.
        case excessCost = "excess-cost"
    }

    public var measure: Measure
    /// Converged when the window's mean is strictly below this.
    public var threshold: Double
    /// Number of most recent training sequences averaged.
    public var window: Int

    public init(measure: Measure, threshold: Double, window: Int = 1000) {
        precondition(window >= 1, "the convergence window needs at least one sequence")
        self.measure = measure
        self.threshold = threshold
        self.window = window
    }

    /// E.g. "mean bit errors per sequence < 0.01 over the last 1000 training sequences".
    public var description: String {
        let what = measure == .bitErrors ? "mean bit errors per sequence"
            : "mean cost above the optimal estimator (bits per sequence)"
        return "\(what) < \(Self.format(threshold)) over the last \(window) training sequences"
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }
}

/// Keeps the totals of the most recent training batches, enough to cover
/// the criterion's window, and says whether the run has converged.
///
/// Batches are the unit (a trainer reports sums per batch), so with batch
/// size `B` the window covers between `window` and `window + B − 1`
/// sequences: the oldest batch is dropped only while the rest still cover
/// the window.
public struct ConvergenceTracker: Sendable {
    public let criterion: ConvergenceCriterion

    private struct Entry: Sendable {
        var sequences: Int
        var lossBits: Double
        var bitErrors: Double
        var optimalBits: Double
    }

    private var entries: [Entry] = []
    private var head = 0
    private var total = Entry(sequences: 0, lossBits: 0, bitErrors: 0, optimalBits: 0)

    public init(criterion: ConvergenceCriterion) {
        self.criterion = criterion
    }

    /// Records one batch: its number of sequences and the sums over them of
    /// the cost in bits, the bit errors and (for the N-gram task) the
    /// optimal estimator's cost in bits.
    public mutating func record(sequences: Int, lossBits: Double, bitErrors: Double, optimalBits: Double = 0) {
        guard sequences > 0 else { return }
        let entry = Entry(sequences: sequences, lossBits: lossBits, bitErrors: bitErrors, optimalBits: optimalBits)
        entries.append(entry)
        add(entry, sign: 1)
        while head < entries.count - 1 && total.sequences - entries[head].sequences >= criterion.window {
            add(entries[head], sign: -1)
            head += 1
        }
        // Compact now and then; recompute the sums exactly to shed rounding drift.
        if head > 4096 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
            total = Entry(sequences: 0, lossBits: 0, bitErrors: 0, optimalBits: 0)
            for e in entries { add(e, sign: 1) }
        }
    }

    private mutating func add(_ e: Entry, sign: Double) {
        total.sequences += sign > 0 ? e.sequences : -e.sequences
        total.lossBits += sign * e.lossBits
        total.bitErrors += sign * e.bitErrors
        total.optimalBits += sign * e.optimalBits
    }

    /// Sequences currently in the window.
    public var sequences: Int { total.sequences }
    /// True once the window holds at least `criterion.window` sequences.
    public var isFull: Bool { total.sequences >= criterion.window }

    public var meanLossBits: Double { total.sequences == 0 ? .nan : total.lossBits / Double(total.sequences) }
    public var meanBitErrors: Double { total.sequences == 0 ? .nan : total.bitErrors / Double(total.sequences) }
    public var meanOptimalBits: Double { total.sequences == 0 ? .nan : total.optimalBits / Double(total.sequences) }

    /// The window's mean of the criterion's measure.
    public var measure: Double {
        switch criterion.measure {
        case .bitErrors: return meanBitErrors
        case .excessCost: return meanLossBits - meanOptimalBits
        }
    }

    public var isConverged: Bool { isFull && measure < criterion.threshold }

    /// Forgets everything (e.g. when the training distribution changes).
    public mutating func reset() {
        entries = []
        head = 0
        total = Entry(sequences: 0, lossBits: 0, bitErrors: 0, optimalBits: 0)
    }
}
