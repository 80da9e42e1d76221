#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The dynamic N-grams task (paper §4.4): every sequence comes from its own
/// random N-gram model, so the network cannot memorise a distribution in its
/// weights; it has to count, within the sequence, how often each context was
/// followed by a 1 — which is what the optimal Bayesian estimator does.
///
/// A model of order `N` has a table of `2^(N−1)` probabilities
/// `P(next = 1 | previous N−1 bits)`, each drawn from Beta(½, ½). The context
/// index of a window of `N−1` bits is their value as a binary number, the
/// oldest bit most significant.
///
/// Bits `b_0 … b_length` are drawn: the first `N−1` are fair coins, each later
/// bit follows the table given its context. Step `t` (of `length`) has the
/// single input `b_t` and the single target `b_{t+1}`; every step is masked.
public struct DynamicNGramTask: SequenceTask {
    public var order: Int
    public var length: Int

    public init(order: Int = 6, length: Int = 200) {
        precondition(order >= 2 && order <= 16, "dynamic N-grams need 2 ≤ order ≤ 16")
        precondition(length >= 1, "dynamic N-grams need length ≥ 1")
        self.order = order
        self.length = length
    }

    public var inputSize: Int { 1 }
    public var outputSize: Int { 1 }
    public var maxSequenceLength: Int { length }

    /// Number of contexts, `2^(order − 1)`.
    public var contextCount: Int { 1 << (order - 1) }

    /// One draw from Beta(½, ½) as `sin²(π·U/2)` with `U` uniform in [0, 1):
    /// the arcsine distribution is exactly the law of that transform, and it
    /// costs one uniform where a general Beta sampler needs rejection.
    public static func betaHalfHalf(using rng: inout SeededGenerator) -> Double {
        let s = sin(Double.pi * rng.uniform(Double.self) / 2)
        return s * s
    }

    public func sample(using rng: inout SeededGenerator) -> TaskSequence {
        sampleWithTable(using: &rng).sequence
    }

    /// A sequence together with the table it was drawn from:
    /// `table[context] = P(next = 1 | context)`.
    public func sampleWithTable(using rng: inout SeededGenerator)
        -> (sequence: TaskSequence, table: [Double]) {
        let table = (0..<contextCount).map { _ in Self.betaHalfHalf(using: &rng) }
        let contextBits = order - 1
        let contextMask = contextCount - 1

        var bits = [Float]()
        bits.reserveCapacity(length + 1)
        var context = 0
        for index in 0...length {
            let one: Bool
            if index < contextBits {
                one = rng.bit()
            } else {
                one = rng.uniform(Double.self) < table[context]
            }
            bits.append(one ? 1 : 0)
            context = ((context << 1) | (one ? 1 : 0)) & contextMask
        }

        var seq = TaskSequence(length: length, inputSize: 1, outputSize: 1)
        for step in 0..<length {
            seq[input: step, 0] = bits[step]
            seq[target: step, 0] = bits[step + 1]
            seq.mask[step] = 1
        }
        return (seq, table)
    }

    /// The optimal Bayesian estimator's `P(target = 1)` at every step of
    /// `seq`: with the table unknown and each entry Beta(½, ½) a priori, the
    /// posterior predictive is `(N1 + ½) / (N1 + N0 + 1)`, where `N1` and `N0`
    /// count how often the current context has been followed by 1 and 0
    /// earlier in this sequence. Before `order − 1` bits have been seen
    /// (steps `t < order − 2`) the next bit is a fair coin: ½.
    ///
    /// The bits are read back from the sequence: `b_0` is the first input and
    /// `b_{t+1}` the target of step `t`.
    public static func optimalPredictions(of seq: TaskSequence, order: Int) -> [Double] {
        precondition(order >= 2 && order <= 16, "dynamic N-grams need 2 ≤ order ≤ 16")
        precondition(seq.inputSize == 1 && seq.outputSize == 1, "not a dynamic N-gram sequence")
        guard seq.length > 0 else { return [] }
        let contextBits = order - 1
        let contextMask = (1 << contextBits) - 1
        var ones = [Int](repeating: 0, count: 1 << contextBits)
        var zeros = ones

        var predictions = [Double]()
        predictions.reserveCapacity(seq.length)
        // The context after seeing b_0 … b_t (the last `contextBits` of them).
        var context = seq[input: 0, 0] != 0 ? 1 : 0
        for step in 0..<seq.length {
            let next = seq[target: step, 0] != 0
            if step < order - 2 {
                predictions.append(0.5)
            } else {
                let n1 = Double(ones[context]), n0 = Double(zeros[context])
                predictions.append((n1 + 0.5) / (n1 + n0 + 1))
                if next { ones[context] += 1 } else { zeros[context] += 1 }
            }
            context = ((context << 1) | (next ? 1 : 0)) & contextMask
        }
        return predictions
    }

    /// The optimal estimator's cost in bits, `−Σ log₂ P(target)`, summed over
    /// the masked steps: the floor that a network's cost on the same sequence
    /// is compared against.
    public static func optimalCost(of seq: TaskSequence, order: Int) -> Double {
        let predictions = optimalPredictions(of: seq, order: order)
        var cost = 0.0
        for step in 0..<seq.length where seq.mask[step] != 0 {
            let p = seq[target: step, 0] != 0 ? predictions[step] : 1 - predictions[step]
            cost -= log2(p)
        }
        return cost
    }
}

/// Sizes count the bits of a sequence.
extension DynamicNGramTask: SizedTask {
    public var largestTrainingSize: TestSize { TestSize(length) }
    public var pictureSize: TestSize { TestSize(min(60, length)) }
    public func isInTrainingRange(_ size: TestSize) -> Bool { size.count == length }
    public func checkApplies(_ size: TestSize) throws(TaskError) {
        try size.requireSingle("dynamic N-grams (bits per sequence)")
    }
    public func steps(at size: TestSize) -> Int { size.count }
    public func sample(at size: TestSize, using rng: inout SeededGenerator) -> TaskSequence {
        DynamicNGramTask(order: order, length: size.count).sample(using: &rng)
    }
}
