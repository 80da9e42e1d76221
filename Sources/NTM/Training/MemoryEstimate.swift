// What a call will allocate, computed before it allocates, so that a host
// can refuse a size it cannot afford instead of dying in the allocator.
// Every product is overflow-checked: nil means "more than an Int can count",
// which any limit refuses.

/// `factors` multiplied, or nil on overflow (or a negative factor).
public func checkedProduct(_ factors: Int...) -> Int? {
    var result = 1
    for f in factors {
        guard f >= 0 else { return nil }
        let (p, overflow) = result.multipliedReportingOverflow(by: f)
        if overflow { return nil }
        result = p
    }
    return result
}

/// `terms` added, or nil if any is nil or the sum overflows.
public func checkedSum(_ terms: Int?...) -> Int? {
    var result = 0
    for t in terms {
        guard let t else { return nil }
        let (s, overflow) = result.addingReportingOverflow(t)
        if overflow { return nil }
        result = s
    }
    return result
}

extension Network {
    /// Bytes of the tape that backpropagation (and evaluation, which keeps
    /// every step's outputs on it) needs for a sequence of `steps` steps:
    /// one step record per step plus the initial one, the output gradients
    /// and each step's pre-activation gradients (see `SequenceTape.reserve`).
    public func tapeBytes(steps: Int) -> Int? {
        let scalar = MemoryLayout<T>.stride
        return checkedSum(checkedProduct(steps + 1, machine.steps.size, scalar),
                          checkedProduct(steps, config.outputSize, scalar),
                          checkedProduct(steps, machine.stepGradients.size, scalar))
    }

    /// Bytes of a stream over this network: the recurrent state twice
    /// (current and next step).
    public var streamBytes: Int? { checkedProduct(2, machine.steps.size, MemoryLayout<T>.stride) }
}

extension Trainer {
    /// Bytes a trainer for `network` holds besides the network itself: the
    /// gradient, the optimiser's state buffers and the copy of parameters,
    /// gradient and state that lets an update be undone.
    public static func bytes(network: Network<T>, optimizer: OptimizerConfig.Kind) -> Int? {
        let stateBuffers = optimizer == .adam ? 2 : 3
        let perParameter = 1 + stateBuffers + (2 + stateBuffers)
        return checkedProduct(perParameter, network.layout.count, MemoryLayout<T>.stride)
    }

    /// Bytes a batch of `sequences` sequences of at most `maxLength` steps
    /// needs: one gradient slot per group of sequences, one tape per worker,
    /// and the per-sequence bookkeeping. (Task batches add the sampled
    /// sequences themselves; see `sequenceBytes`.)
    public func batchBytes(sequences: Int, maxLength: Int) -> Int? {
        let groups = (sequences + Self.groupSize - 1) / Self.groupSize
        let workers = min(threads, max(groups, 1))
        return checkedSum(checkedProduct(groups, network.layout.count, MemoryLayout<T>.stride),
                          checkedProduct(workers, network.tapeBytes(steps: maxLength) ?? Int.max),
                          checkedProduct(sequences, 3 * MemoryLayout<Int>.stride))
    }

    /// Bytes of `count` sampled task sequences of at most `maxLength` steps
    /// (inputs, targets and mask as `Float`).
    public static func sequenceBytes(count: Int, maxLength: Int, inputSize: Int, outputSize: Int) -> Int? {
        checkedProduct(count, maxLength, inputSize + outputSize + 1, MemoryLayout<Float>.stride)
    }
}
