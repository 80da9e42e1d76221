/// Backpropagation through time from output gradients the caller supplies
/// instead of from the task loss: for a network that is one part of a larger
/// model trained by someone else (the C API's `ntm_trainer_backward`, and,
/// with the recurrent state in and out for sequences run in chunks,
/// `ntm_model_forward` and `ntm_model_backward`).
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

/// What a caller's sequence outputs are: the probabilities `y = σ(z)` or
/// the logits `z` (for a loss that takes logits, e.g. a numerically stable
/// binary cross-entropy, whose gradient `y − τ` does not pass through the
/// vanishing `y (1 − y)`).
public enum OutputKind: Sendable {
    case probabilities
    case logits
}

extension BackwardPass {
    /// The layout of the state carried from one chunk of a sequence to the next.
    public var carriedState: CarriedStateLayout { network.machine.carriedState }

    /// Writes the learned initial state (what a sequence starts from when
    /// no state is given) to `state` (`carriedState.count` values).
    public func initialState(into state: UnsafeMutablePointer<T>) {
        let p = UnsafePointer(network.parameters.baseAddress!)
        let record = tape.record(0)
        network.machine.initialState(p, into: record)
        network.machine.packState(record, into: state)
    }

    /// Runs one sequence of `length ≥ 1` steps of `inputs` (`length ×
    /// inputSize`) from `initialState` (`carriedState.count` values), or
    /// from the learned initial state when it is nil. Writes the outputs of
    /// `kind` to `outputs` (`length × outputSize`) and the state after the
    /// last step to `finalState`, each when given.
    public func forward(inputs: UnsafePointer<T>, length: Int, initialState: UnsafePointer<T>?, kind: OutputKind,
                        outputs: UnsafeMutablePointer<T>?, finalState: UnsafeMutablePointer<T>?) {
        precondition(length >= 1, "BackwardPass.forward: empty sequence")
        tape.forward(UnsafePointer(network.parameters.baseAddress!), inputs: inputs, length: length,
                     initialState: initialState)
        copyResults(kind: kind, outputs: outputs, finalState: finalState)
    }

    /// `forward`, then backpropagation of `dOutputs` (`length ×
    /// outputSize`), the gradient of the caller's loss with respect to the
    /// outputs of `kind`, and of `dFinalState` (the gradient with respect to
    /// the final state, from later chunks; nil means zero).
    ///
    /// Writes the input gradient to `dInputs` (`length × inputSize`) and the
    /// gradient with respect to the initial state to `dInitialState`, each
    /// when given, and ADDS the parameter gradient into `gradient`
    /// (`network.layout.count` values), so that a batch sums into one
    /// buffer. The learned initial-state parameters receive their part only
    /// when `initialState` is nil.
    public func backward(inputs: UnsafePointer<T>, length: Int, initialState: UnsafePointer<T>?, kind: OutputKind,
                         dOutputs: UnsafePointer<T>, dFinalState: UnsafePointer<T>?,
                         outputs: UnsafeMutablePointer<T>?, finalState: UnsafeMutablePointer<T>?,
                         dInputs: UnsafeMutablePointer<T>?, dInitialState: UnsafeMutablePointer<T>?,
                         gradient: UnsafeMutablePointer<T>) {
        forward(inputs: inputs, length: length, initialState: initialState, kind: kind, outputs: outputs,
                finalState: finalState)
        switch kind {
        case .probabilities: tape.setOutputGradients(dOutputs)
        case .logits: tape.setLogitGradients(dOutputs)
        }
        tape.backward(UnsafePointer(network.parameters.baseAddress!), gradient, dInputs: dInputs,
                      dFinalState: dFinalState, dInitialState: dInitialState,
                      learnedInitialState: initialState == nil)
    }

    private func copyResults(kind: OutputKind, outputs: UnsafeMutablePointer<T>?,
                             finalState: UnsafeMutablePointer<T>?) {
        let length = tape.length
        if let outputs {
            let width = network.config.outputSize
            for t in 0..<length {
                let row = kind == .logits ? tape.logits(step: t) : tape.outputs(step: t)
                copyValues(row, outputs + t * width, count: width)
            }
        }
        if let finalState { network.machine.packState(tape.record(length), into: finalState) }
    }
}
