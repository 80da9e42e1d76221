import Synchronization

/// A batch's evaluation: each sequence's result, in the batch's order, and
/// their sums.
public struct BatchEvaluation: Sendable, Equatable {
    /// One result per sequence, in the batch's order.
    public var sequences: [SequenceEvaluation]
    /// The sequences' costs in bits, summed in the batch's order.
    public var lossBits: Double
    /// The sequences' bit errors, summed.
    public var bitErrors: Int

    /// Sums `sequences` in their order, so the totals depend on the results
    /// alone, never on which worker computed which.
    init(sequences: [SequenceEvaluation]) {
        self.sequences = sequences
        lossBits = 0
        bitErrors = 0
        for s in sequences {
            lossBits += s.lossBits
            bitErrors += s.bitErrors
        }
    }

    /// Mean cost in bits per sequence (NaN for an empty batch).
    public var lossBitsPerSequence: Double { lossBits / Double(sequences.count) }
    /// Mean bit errors per sequence (NaN for an empty batch).
    public var bitErrorsPerSequence: Double { Double(bitErrors) / Double(sequences.count) }
    /// Sequences without a bit error.
    public var errorFreeSequences: Int { sequences.reduce(0) { $0 + ($1.bitErrors == 0 ? 1 : 0) } }
}

/// Evaluates batches of sequences, without gradients, spread over a fixed
/// number of worker threads (the calling thread being one of them).
///
/// Each sequence is evaluated on its own, from its initial state, and its
/// result goes to its place in the batch: the results, and their sums
/// (taken in the batch's order afterwards), are the same bits whatever the
/// number of workers, and the same as `Evaluator.evaluate` on each sequence.
/// The workers and their tapes are made once and reused from batch to
/// batch. One batch at a time: not for use from several threads at once.
public final class BatchEvaluator<T: NTMScalar> {
    public let network: Network<T>
    /// Threads that evaluate a batch, the caller's included.
    public let workers: Int
    /// One per worker; worker `w` uses `evaluators[w]`.
    private let evaluators: [Evaluator<T>]
    private let pool: WorkerPool?
    // The batch being evaluated, for the workers.
    private var current: TrainingBatch = .sequences([])
    private var destination = EvaluationOutputs.dropped
    private var results: UnsafeMutablePointer<SequenceEvaluation>? = nil
    /// The next sequence to claim.
    private let claimed = Atomic<Int>(0)

    /// An evaluator of `network` on `workers` threads (at least 1).
    public init(network: Network<T>, workers: Int = 1) {
        self.network = network
        self.workers = max(1, workers)
        evaluators = (0..<self.workers).map { _ in Evaluator(network: network) }
        pool = self.workers > 1 ? WorkerPool(workers: self.workers) : nil
    }

    /// Evaluates `sequences`, which must match the network's input and
    /// output widths; with `outputs: .kept`, each result carries the
    /// sequence's outputs.
    public func evaluate(_ sequences: [TaskSequence], outputs: EvaluationOutputs = .dropped) -> BatchEvaluation {
        let config = network.config
        for s in sequences {
            precondition(s.inputSize == config.inputSize && s.outputSize == config.outputSize,
                         "sequence widths \(s.inputSize)→\(s.outputSize) do not match the network's "
                         + "\(config.inputSize)→\(config.outputSize)")
        }
        return evaluate(.sequences(sequences), outputs: outputs)
    }

    /// Evaluates `batch`, whose widths the caller has checked (a padded
    /// batch is read in place, as `PaddedBatch` describes). With
    /// `outputs: .padded`, its max length is at least every sequence's
    /// length.
    public func evaluate(_ batch: TrainingBatch, outputs: EvaluationOutputs = .dropped) -> BatchEvaluation {
        let count = batch.count
        let sequences = [SequenceEvaluation](unsafeUninitializedCapacity: count) { buffer, initialized in
            current = batch
            destination = outputs
            results = buffer.baseAddress
            claimed.store(0, ordering: .relaxed)
            if let pool, count > 1 { pool.run(self) } else { run(worker: 0) }
            current = .sequences([])
            results = nil
            initialized = count
        }
        return BatchEvaluation(sequences: sequences)
    }
}

extension BatchEvaluator: WorkerJob {
    /// Each worker claims the next unevaluated sequence until none is left
    /// (sequences of different lengths then keep every worker busy) and
    /// writes its result to the sequence's place. Reached through the
    /// `WorkerJob` protocol, so it carries its own specialisations.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func run(worker: Int) {
        let evaluator = evaluators[worker], count = current.count
        while true {
            let i = claimed.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { break }
            (results! + i).initialize(to: evaluator.evaluate(current, i, outputs: destination))
        }
    }
}
