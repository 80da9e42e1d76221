/// The associative-recall task (paper §4.3): a list of items, each a short
/// sequence of random vectors; then one of them (never the last) as a query.
/// The network must answer with the item that followed the query in the
/// list — which needs content-based lookup followed by a location shift.
///
/// Input channels (`width + 2`):
/// - `0..<width`: data bits;
/// - `width`: item delimiter, 1 on the step before each item;
/// - `width + 1`: query delimiter, 1 on the steps before and after the query.
///
/// Layout of a sequence with `n` items of `k = itemLength` steps each:
///
///     n × [item delimiter, k data steps]
///     query delimiter, k query steps (a copy of item q), query delimiter,
///     k answer steps with zero input
///
/// Total length `n·(k + 1) + 2 + 2k`. Output channels: `width`; targets are
/// item `q + 1` on the answer steps, the only masked steps. Items are drawn
/// independently, so two items can coincide by chance (with the default
/// 18 random bits per item this is negligible); the query is still the
/// item at index `q`.
public struct AssociativeRecallTask: SequenceTask {
    public var width: Int
    public var itemLength: Int
    public var minItems: Int
    public var maxItems: Int

    public init(width: Int = 6, itemLength: Int = 3, minItems: Int = 2, maxItems: Int = 6) {
        precondition(width >= 1 && itemLength >= 1,
                     "associative-recall task needs width ≥ 1 and itemLength ≥ 1")
        precondition(minItems >= 2 && maxItems >= minItems,
                     "associative-recall task needs 2 ≤ minItems ≤ maxItems")
        self.width = width
        self.itemLength = itemLength
        self.minItems = minItems
        self.maxItems = maxItems
    }

    public var inputSize: Int { width + 2 }
    public var outputSize: Int { width }
    public var maxSequenceLength: Int { sequenceLength(items: maxItems) }

    /// Number of steps of a sequence with `items` items.
    public func sequenceLength(items: Int) -> Int {
        items * (itemLength + 1) + 2 + 2 * itemLength
    }

    public func sample(using rng: inout SeededGenerator) -> TaskSequence {
        sample(items: rng.integer(in: minItems...maxItems), using: &rng)
    }

    /// A sequence of exactly `items` items (may exceed the training range).
    public func sample(items: Int, using rng: inout SeededGenerator) -> TaskSequence {
        sampleWithQuery(items: items, using: &rng).sequence
    }

    /// A sequence of exactly `items` items, with the index `query` of the item
    /// shown as the query (its successor, item `query + 1`, is the answer).
    public func sampleWithQuery(items: Int, using rng: inout SeededGenerator)
        -> (sequence: TaskSequence, query: Int) {
        precondition(items >= 2, "associative recall needs at least two items")
        let k = itemLength
        var seq = TaskSequence(length: sequenceLength(items: items),
                               inputSize: inputSize, outputSize: outputSize)

        // The items: a delimiter step, then k data steps each.
        var bits = [[Float]](repeating: [], count: items)
        for item in 0..<items {
            let start = item * (k + 1)
            seq[input: start, width] = 1
            bits[item].reserveCapacity(k * width)
            for step in 0..<k {
                for bit in 0..<width {
                    let value: Float = rng.bit() ? 1 : 0
                    bits[item].append(value)
                    seq[input: start + 1 + step, bit] = value
                }
            }
        }

        // The query, framed by query delimiters, then the answer phase.
        let query = rng.integer(in: 0...(items - 2))
        let queryStart = items * (k + 1)
        let answerStart = queryStart + k + 2
        seq[input: queryStart, width + 1] = 1
        seq[input: queryStart + k + 1, width + 1] = 1
        for step in 0..<k {
            seq.mask[answerStart + step] = 1
            for bit in 0..<width {
                seq[input: queryStart + 1 + step, bit] = bits[query][step * width + bit]
                seq[target: answerStart + step, bit] = bits[query + 1][step * width + bit]
            }
        }
        return (seq, query)
    }
}

/// Sizes count the items.
extension AssociativeRecallTask: SizedTask {
    public var largestTrainingSize: TestSize { TestSize(maxItems) }
    public var pictureSize: TestSize { TestSize(min(max(4, minItems), maxItems)) }
    public func isInTrainingRange(_ size: TestSize) -> Bool { (minItems...maxItems).contains(size.count) }
    public func checkApplies(_ size: TestSize) throws(TaskError) {
        try size.requireSingle("associative recall (number of items)")
        if size.count < 2 { throw TaskError("associative recall needs at least 2 items (got \(size.count))") }
    }
    public func steps(at size: TestSize) -> Int { sequenceLength(items: size.count) }
    public func sample(at size: TestSize, using rng: inout SeededGenerator) -> TaskSequence {
        sample(items: size.count, using: &rng)
    }
}
