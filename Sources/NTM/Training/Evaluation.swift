/// Forward passes without gradients: the cost of sequences and what the
/// network outputs on them.
public final class Evaluator<T: NTMScalar> {
    public let network: Network<T>
    private let tape: SequenceTape<T>

    public init(network: Network<T>) {
        self.network = network
        tape = SequenceTape(machine: network.machine)
    }

    public struct Result: Sendable {
        /// Cross-entropy over the masked steps, in bits.
        public var lossBits: Double
        public var bitErrors: Int
        /// Output probabilities, step-major (`length × outputSize`).
        public var outputs: [Float]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func evaluate(_ sequence: TaskSequence) -> Result {
        precondition(sequence.inputSize == network.config.inputSize && sequence.outputSize == network.config.outputSize,
                     "sequence widths do not match the network")
        let inputs = sequence.inputs.map { T($0) }, targets = sequence.targets.map { T($0) }
        let mask = sequence.mask.map { T($0) }
        tape.forward(UnsafePointer(network.parameters.baseAddress!), inputs: inputs, length: sequence.length)
        let (loss, errors) = tape.loss(targets: targets, mask: mask)
        var outputs: [Float] = []
        outputs.reserveCapacity(sequence.length * sequence.outputSize)
        for t in 0..<sequence.length {
            let y = tape.outputs(step: t)
            for j in 0..<sequence.outputSize { outputs.append(Float(y[j])) }
        }
        return Result(lossBits: loss / Double.log(2), bitErrors: errors, outputs: outputs)
    }

    /// Mean loss in bits and mean bit errors per sequence over `sequences`.
    public func evaluate(_ sequences: [TaskSequence]) -> (lossBits: Double, bitErrors: Double) {
        var loss = 0.0, errors = 0
        for s in sequences {
            let r = evaluate(s)
            loss += r.lossBits
            errors += r.bitErrors
        }
        let n = Double(max(sequences.count, 1))
        return (loss / n, Double(errors) / n)
    }
}
