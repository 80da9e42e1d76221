import Synchronization

/// Trains a network on mini-batches of independent sequences.
///
/// Each sequence gets its own memory; each pair of sequences shares a
/// gradient slot (the pairs are fixed by the batch: a long sequence with a
/// shorter one). The workers claim the pairs, longest first, until none is
/// left; the slots are summed in a fixed order after all workers finish,
/// so the update — and every parameter after any number of updates — is
/// bit-identical for any thread count. At most half a batch's sequences
/// run in parallel.
///
/// The batch gradient is the mean over its sequences of the gradient of the
/// sequence's cross-entropy (in nats, over its masked steps). Then: frozen
/// parameters zeroed, global-norm clipping (if set), element-wise clipping,
/// optimiser step.
///
/// An update is a transaction: if the batch's loss or gradient is not
/// finite, or the step would make a parameter or the optimiser state
/// non-finite, it is refused and the parameters, the optimiser state (and
/// step count) and the gradient buffer are left exactly as they were
/// (`BatchResult.refusal` says why).
public final class Trainer<T: NTMScalar> {
    public let network: Network<T>
    public let optimizer: any Optimizer<T>
    public var threads: Int
    /// The reduced gradient of the last batch, in the parameter layout.
    public let gradient: UnsafeMutableBufferPointer<T>
    /// Generator for sampling training data, saved with the trainer so that
    /// a resumed run sees the same data.
    public var dataGenerator: SeededGenerator
    /// Sequences trained on so far.
    public var sequencesSeen = 0

    private var tapes: [SequenceTape<T>] = []
    private var staging: [SequenceStaging<T>] = []
    private var slots: UnsafeMutablePointer<T>
    private var slotCapacity = 0, sequenceCapacity = 0
    private var losses: UnsafeMutablePointer<Double>
    private var errors: UnsafeMutablePointer<Int>
    private var pool: WorkerPool? = nil
    /// The batch's sequence indices, longest first: the groups are formed from it.
    private var schedule: UnsafeMutablePointer<Int>
    /// The next group to claim.
    private let claimed = Atomic<Int>(0)
    /// What `run(worker:)` does when the pool calls it.
    private var phase = Phase.sequences
    private enum Phase { case sequences, reduction }
    /// The batch's groups of sequences that share a gradient slot (see
    /// `runSequences`).
    private var groups = 0
    /// Sequences per group: one gradient slot serves this many, so that the
    /// slots the reduction reads (and the zeroing before them) halve.
    static var groupSize: Int { 2 }
    /// The batch being worked on, for the workers.
    private var current: TrainingBatch = .sequences([])
    private var workers = 1
    /// Copies of the parameters, the gradient and the optimiser state taken
    /// before an update, to undo one that diverges; allocated once.
    private var undo: UnsafeMutablePointer<T>? = nil
    /// The buffers an update may change, in `undo`'s order: the parameters,
    /// the gradient, then the optimiser's state. Listed once, because
    /// building the list allocates and an update allocates nothing.
    private lazy var updatedBuffers: [UnsafeMutableBufferPointer<T>] =
        [network.parameters, gradient] + optimizer.stateBuffers.map(\.buffer)

    public init(network: Network<T>, optimizer config: OptimizerConfig = .rmsprop, threads: Int = 1, dataSeed: UInt64 = 0) {
        self.network = network
        optimizer = makeOptimizer(config, count: network.layout.count)
        self.threads = max(1, threads)
        gradient = .allocate(capacity: network.layout.count)
        gradient.initialize(repeating: 0)
        slots = .allocate(capacity: 1)
        schedule = .allocate(capacity: 1)
        losses = .allocate(capacity: 1)
        errors = .allocate(capacity: 1)
        dataGenerator = SeededGenerator(seed: dataSeed)
    }

    deinit {
        gradient.deallocate()
        slots.deallocate()
        schedule.deallocate()
        losses.deallocate()
        errors.deallocate()
        undo?.deallocate()
    }

    /// Loss in bits and bit errors, summed over a batch's sequences.
    public struct BatchResult: Equatable, Sendable {
        public var sequences = 0
        public var lossBits: Double = 0
        public var bitErrors = 0
        /// Why the update was refused, or nil when it was applied (always nil
        /// from `computeGradient`, which makes no update).
        public var refusal: UpdateRefusal? = nil
        /// Whether the update was applied.
        public var applied: Bool { refusal == nil }
        public var lossBitsPerSequence: Double { sequences == 0 ? 0 : lossBits / Double(sequences) }
        public var bitErrorsPerSequence: Double { sequences == 0 ? 0 : Double(bitErrors) / Double(sequences) }
    }

    private func prepare(slots slotCount: Int, sequences: Int, workers: Int) {
        let count = network.layout.count
        if sequences > sequenceCapacity {
            schedule.deallocate(); losses.deallocate(); errors.deallocate()
            schedule = .allocate(capacity: sequences)
            losses = .allocate(capacity: sequences)
            errors = .allocate(capacity: sequences)
            sequenceCapacity = sequences
        }
        if slotCount > slotCapacity {
            slots.deallocate()
            slots = .allocate(capacity: slotCount * count)
            slotCapacity = slotCount
        }
        while tapes.count < workers {
            tapes.append(SequenceTape(machine: network.machine))
            staging.append(SequenceStaging())
        }
        if workers > 1 && pool?.workers != workers { pool = WorkerPool(workers: workers) }
    }

    /// The mean gradient of `batch` into `gradient`, without an update.
    @discardableResult
    public func computeGradient(_ batch: [TaskSequence]) -> BatchResult {
        computeGradient(checked(batch))
    }

    /// `batch` as a `TrainingBatch`, after checking it fits the network.
    private func checked(_ batch: [TaskSequence]) -> TrainingBatch {
        let config = network.config
        for s in batch {
            precondition(s.inputSize == config.inputSize && s.outputSize == config.outputSize,
                         "sequence widths \(s.inputSize)→\(s.outputSize) do not match the network's \(config.inputSize)→\(config.outputSize)")
            precondition(s.length >= 1, "empty sequence")
        }
        return .sequences(batch)
    }

    /// The mean gradient of `batch` into `gradient`, without an update. The
    /// caller has checked the batch's widths and lengths.
    @discardableResult
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func computeGradient(_ batch: TrainingBatch) -> BatchResult {
        let sequences = batch.count
        groups = (sequences + Self.groupSize - 1) / Self.groupSize
        workers = min(threads, max(groups, 1))
        prepare(slots: groups, sequences: sequences, workers: workers)
        current = batch
        scheduleLongestFirst(batch)
        claimed.store(0, ordering: .relaxed)
        phase = .sequences
        if workers > 1, let pool { pool.run(self) } else { run(worker: 0) }
        phase = .reduction
        if workers > 1, let pool { pool.run(self) } else { run(worker: 0) }
        current = .sequences([])
        var result = BatchResult()
        result.sequences = sequences
        for i in 0..<sequences {
            result.lossBits += losses[i] / Double.log(2)
            result.bitErrors += errors[i]
        }
        return result
    }

    /// Clips `gradient` and applies one optimiser update from it, as a
    /// transaction: returns nil when applied, or why it was refused — the
    /// gradient holds NaN or infinity, or the step would make a parameter
    /// non-finite or larger than `parameterMagnitudeLimit` in magnitude, or
    /// the optimiser state non-finite — and then the parameters, the
    /// optimiser state and step count, and `gradient` are bit-identical to
    /// what they were before the call.
    @discardableResult
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func applyGradient() -> UpdateRefusal? {
        if let i = firstNonFiniteIndex(gradient) { return .nonFiniteGradient(index: i) }
        let count = network.layout.count
        let buffers = updatedBuffers
        if undo == nil { undo = .allocate(capacity: buffers.count * count) }
        let saved = undo!
        for (k, buffer) in buffers.enumerated() { (saved + k * count).update(from: buffer.baseAddress!, count: count) }
        let steps = optimizer.stepCount

        for range in network.layout.frozen {
            for k in range { gradient[k] = 0 }
        }
        let config = optimizer.config
        if config.clipNorm > 0 { Clipping.clipNorm(gradient, maxNorm: config.clipNorm) }
        if config.clipValue > 0 { Clipping.clipValues(gradient, limit: config.clipValue) }
        optimizer.update(network.parameters, gradient: UnsafeBufferPointer(gradient))

        for (k, buffer) in buffers.enumerated() where k != 1 {
            let bad = k == 0 ? firstIndexBeyond(buffer, limit: T(parameterMagnitudeLimit)) : firstNonFiniteIndex(buffer)
            guard let i = bad else { continue }
            for (j, buffer) in buffers.enumerated() { buffer.baseAddress!.update(from: saved + j * count, count: count) }
            optimizer.stepCount = steps
            if k == 0 { return .parameterOutOfRange(index: i) }
            return .nonFiniteUpdate(buffer: "optimizer state \(optimizer.stateBuffers[k - 2].name)", index: i)
        }
        return nil
    }

    /// One update from `batch`: gradient, clipping, optimiser step.
    @discardableResult
    public func train(_ batch: [TaskSequence]) -> BatchResult {
        train(checked(batch))
    }

    /// One update from `batch` (checked by the caller): gradient, clipping,
    /// optimiser step. A refused update (`result.refusal`, see
    /// `applyGradient`; also when the loss is not finite) changes nothing,
    /// not even `sequencesSeen`.
    @discardableResult
    public func train(_ batch: TrainingBatch) -> BatchResult {
        var result = computeGradient(batch)
        result.refusal = result.lossBits.isFinite ? applyGradient() : .nonFiniteLoss
        if result.applied { sequencesSeen += batch.count }
        return result
    }

    /// One update from `batchSize` sequences drawn from `task` with the
    /// trainer's own data generator, which advances only if the update is
    /// applied.
    @discardableResult
    public func train(on task: any SequenceTask, batchSize: Int) -> BatchResult {
        var generator = dataGenerator
        let result = train(task.batch(batchSize, using: &generator))
        if result.applied { dataGenerator = generator }
        return result
    }
}

extension Trainer: WorkerJob {
    /// One worker's part of the current phase: the sequences, then the
    /// reduction of their slots. Reached through the `WorkerJob` protocol,
    /// so it must carry its own specialisations: without them the other
    /// threads ran generic code (slower, and allocating).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func run(worker: Int) {
        switch phase {
        case .sequences: runSequences(worker: worker)
        case .reduction: reduce(worker: worker)
        }
    }

    /// Each worker claims the next unclaimed group until none is left and
    /// runs its sequences, each from its initial state, into the group's
    /// gradient slot. Group `k` of `G` holds the sequences at positions `k`
    /// and `k + G` of the longest-first schedule (a long one and a shorter
    /// one), in that order, so what a slot sums depends on the batch alone:
    /// which worker ran a group changes nothing, and the slots are summed in
    /// group order afterwards.
    private func runSequences(worker: Int) {
        let p = UnsafePointer(network.parameters.baseAddress!)
        let count = network.layout.count, sequences = current.count
        let tape = tapes[worker], stage = staging[worker]
        while true {
            let group = claimed.wrappingAdd(1, ordering: .relaxed).oldValue
            if group >= groups { break }
            let slot = slots + group * count
            var position = group
            while position < sequences {
                let i = schedule[position]
                stage.load(current, i)
                tape.forward(p, inputs: stage.inputs, length: stage.length)
                let result = tape.loss(targets: stage.targets, mask: stage.mask)
                tape.backward(p, slot, dInputs: nil, zeroingGradient: position == group)
                losses[i] = result.loss
                errors[i] = result.bitErrors
                position += groups
            }
        }
    }

    /// The batch gradient: the sum of the slots over groups 0, 1, 2, … in
    /// that order whoever computes it, divided by the number of sequences.
    /// Worker `w` takes the `w`-th contiguous share of the parameters, in
    /// blocks that stay in L1 while every slot is added into them.
    private func reduce(worker: Int) {
        let count = network.layout.count, sequences = current.count
        let share = (count + workers - 1) / workers
        let start = min(count, worker * share), end = min(count, start + share)
        let g = gradient.baseAddress!
        let scale = 1 / T(sequences)
        let block = 2048
        var low = start
        while low < end {
            let length = min(block, end - low)
            zero(g + low, count: length)
            for k in 0..<groups { addAccumulate(slots + k * count + low, g + low, count: length) }
            if sequences > 1 {
                for k in low..<(low + length) { g[k] *= scale }
            }
            low += length
        }
    }

    /// Fills `schedule` with the batch's indices, longest sequence first
    /// (ties by index): groups claimed in this order start with the long
    /// sequences and end with the short ones, so the workers finish close
    /// together although the lengths of a batch vary (1 to 20 steps and
    /// more in the paper's tasks). An insertion sort: batches are small and
    /// it allocates nothing.
    private func scheduleLongestFirst(_ batch: TrainingBatch) {
        for k in 0..<batch.count {
            let length = batch.length(k)
            var position = k
            while position > 0 && batch.length(schedule[position - 1]) < length {
                schedule[position] = schedule[position - 1]
                position -= 1
            }
            schedule[position] = k
        }
    }
}

/// Why `Trainer` refused an update; nothing was changed.
public enum UpdateRefusal: Equatable, Sendable, CustomStringConvertible {
    /// The batch's loss is NaN or infinite.
    case nonFiniteLoss
    /// The batch gradient holds NaN or infinity (the first at `index`).
    case nonFiniteGradient(index: Int)
    /// The step would have made `buffer` ("optimizer state …") non-finite,
    /// first at `index`.
    case nonFiniteUpdate(buffer: String, index: Int)
    /// The step would have moved parameter `index` to NaN, infinity or
    /// beyond ±`parameterMagnitudeLimit`.
    case parameterOutOfRange(index: Int)

    public var description: String {
        switch self {
        case .nonFiniteLoss: return "the loss is not finite"
        case .nonFiniteGradient(let i): return "the gradient is not finite (at index \(i))"
        case .nonFiniteUpdate(let buffer, let i): return "the update would make the \(buffer) non-finite (at index \(i))"
        case .parameterOutOfRange(let i):
            return "the update would make parameter \(i) non-finite or larger than \(Float(parameterMagnitudeLimit)) "
                + "in magnitude"
        }
    }
}
