/// Backpropagation through time from output gradients the caller supplies
/// instead of from the task loss: for a network that is one part of a larger
/// model trained by someone else (the C API's `ntm_trainer_backward`).
///
/// Owns one sequence tape, reused across calls; one thread at a time. Reads
/// the network's weights, so it may run while streams step the same network.
public final class BackwardPass<T: NTMScalar> {
    public let network: Network<T>
    private let tape: SequenceTape<T>

    public init(network: Network<T>) {
        self.network = network
        tape = SequenceTape(machine: network.machine)
    }

    /// Runs the network from its initial state over `length ≥ 1` steps of
    /// `inputs` (step-major, `length × inputSize`), then backpropagates
    /// `dOutputs`, the gradient of some loss with respect to the output
    /// probabilities `y` (`length × outputSize`).
    ///
    /// Writes: the outputs `y` to `outputs` when given (`length ×
    /// outputSize`); the parameter gradient to `gradient`, overwriting it
    /// (`network.layout.count` values, in the parameter layout); the input
    /// gradient to `dInputs` when given (`length × inputSize`).
    public func run(inputs: UnsafePointer<T>, length: Int, dOutputs: UnsafePointer<T>,
                    outputs: UnsafeMutablePointer<T>?, gradient: UnsafeMutableBufferPointer<T>,
                    dInputs: UnsafeMutablePointer<T>?) {
        precondition(length >= 1, "BackwardPass.run: empty sequence")
        precondition(gradient.count == network.layout.count,
                     "BackwardPass.run: expected \(network.layout.count) gradient values, got \(gradient.count)")
        let p = UnsafePointer(network.parameters.baseAddress!)
        tape.forward(p, inputs: inputs, length: length)
        if let outputs {
            let width = network.config.outputSize
            for t in 0..<length { copyValues(tape.outputs(step: t), outputs + t * width, count: width) }
        }
        tape.setOutputGradients(dOutputs)
        zero(gradient.baseAddress!, count: gradient.count)
        tape.backward(p, gradient.baseAddress!, dInputs: dInputs)
    }
}
