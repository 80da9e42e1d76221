import NTM

// MARK: Models: sequences in chunks, and their gradients

// For an NTM inside another framework (PyTorch, JAX, ...): a batch of
// sequences run forward, then backpropagated from the caller's gradients,
// with the recurrent state passed in and out so that a long sequence can
// run in chunks (truncated backpropagation through time), and the
// parameter gradient written to a buffer the caller owns, with no trainer.
//
// The state layout (`ntm_model_state_size` values per sequence) is
// `CarriedStateLayout`'s: memory N x M row-major, read vectors R x M,
// weightings H x N (write heads first), and for LSTM controllers each
// layer's hidden state, then each layer's cell state.

/// The number of floats in one sequence's recurrent state, the unit of the
/// `initial_states`, `final_states` and state gradient arrays of
/// `ntm_model_forward` and `ntm_model_backward`. The state is, in order:
/// the memory (`memory_rows x memory_width`, row-major; NTMs only), the read
/// vectors (`read_heads x memory_width`), the head weightings (`(write_heads
/// + read_heads) x memory_rows`, write heads first; NTMs only), and, for an
/// LSTM controller, each layer's hidden state and then each layer's cell
/// state, bottom layer first. A feedforward controller carries no state of
/// its own.
///
/// Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE.
/// Thread-safety: any thread; reads only the config, which never changes.
@c public func ntm_model_state_size(_ model: OpaquePointer?, _ out_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_model_state_size") { () throws(CError) in
        let network = try lookupModel(model)
        let out = try required(out_size, "out_size")
        out.pointee = UInt(network.carriedState.count)
    }
}

/// The learned initial state (what a sequence starts from when no state is
/// given) into `state`, `count` floats (`ntm_model_state_size`). It
/// depends on the weights: the weightings are the softmax of learned
/// logits, and the memory and read vectors may be learned.
///
/// Errors: NTM_ERR_NULL if `state` is NULL; NTM_ERR_HANDLE; NTM_ERR_ARGUMENT
/// if `count` is not the state size.
/// Thread-safety: reads the weights: not while the model is being updated.
@c public func ntm_model_initial_state(_ model: OpaquePointer?, _ state: UnsafeMutablePointer<Float>?,
                                       _ count: UInt) -> ntm_status {
    guarded("ntm_model_initial_state") { () throws(CError) in
        let network = try lookupModel(model)
        let state = try required(state, "state")
        try expectCount(count, network.carriedState.count, "count", "the state size")
        BackwardPass(network: network).initialState(into: state)
    }
}

/// Runs `batch` (1 ... 65536) sequences of `length` (1 ... 2^20) steps
/// each, without gradients. `inputs` holds `batch x length x input_size`
/// floats (sequence `i`, step `t` at `[(i * length + t) * input_size]`).
/// Each sequence starts from its state in `initial_states` (`batch x
/// state_size`, see `ntm_model_state_size`; e.g. the `final_states` of
/// the previous chunk) or, when it is NULL, from the learned initial state.
///
/// Writes to `outputs` (`batch x length x output_size`) the output
/// probabilities, or with `logits` true the logits before the sigmoid; and
/// to `final_states` (`batch x state_size`) the state after each
/// sequence's last step. Either may be NULL. The outputs are exactly those
/// `ntm_model_backward` computes for the same arguments.
///
/// Errors: NTM_ERR_NULL if `inputs` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_ARGUMENT if `batch` or `length` is out of range or a weighting
/// in `initial_states` is negative; NTM_ERR_NONFINITE for a NaN or
/// infinite input or state value (the message names the array and index);
/// NTM_ERR_MEMORY.
/// Thread-safety: reads the weights: any number of threads may run a model
/// at once, but not while it is being updated.
@c public func ntm_model_forward(_ model: OpaquePointer?, _ batch: UInt, _ length: UInt,
                                 _ inputs: UnsafePointer<Float>?, _ initial_states: UnsafePointer<Float>?,
                                 _ logits: Bool, _ outputs: UnsafeMutablePointer<Float>?,
                                 _ final_states: UnsafeMutablePointer<Float>?) -> ntm_status {
    guarded("ntm_model_forward") { () throws(CError) in
        let network = try lookupModel(model)
        let run = try ChunkBatch(network, batch, length, inputs, initial_states)
        let kind: OutputKind = logits ? .logits : .probabilities
        for i in 0..<run.batch {
            run.pass.forward(inputs: run.inputs(i), length: run.length, initialState: run.initialState(i), kind: kind,
                             outputs: outputs.map { $0 + i * run.outputStride },
                             finalState: final_states.map { $0 + i * run.stateSize })
        }
    }
}

/// Backpropagation through a batch of sequences from gradients the caller
/// supplies: `ntm_model_forward` with the same `batch`, `length`,
/// `inputs`, `initial_states` and `logits` (its outputs and final states
/// are written to `outputs` and `final_states` when they are not NULL),
/// then backpropagation of
///   - `output_gradients` (`batch x length x output_size`, required): the
///     gradient of the caller's loss with respect to the outputs, i.e. the
///     probabilities, or with `logits` true the logits;
///   - `final_state_gradients` (`batch x state_size`, or NULL for zero):
///     the gradient with respect to each final state, as a later chunk's
///     `initial_state_gradients` returned it.
///
/// Writes `input_gradients` (`batch x length x input_size`) and
/// `initial_state_gradients` (`batch x state_size`, the gradient with
/// respect to each initial state: pass it to the previous chunk as its
/// `final_state_gradients`) when they are not NULL, and OVERWRITES
/// `parameter_gradient` (`parameter_count` floats, the parameter count of
/// `ntm_model_shape`, required) with the gradient with respect to the
/// parameters, summed over the batch. The learned initial-state parameters
/// get a gradient only when `initial_states` is NULL. The forward pass is
/// computed again here (a tape of `length` steps is kept only within the
/// call). Chaining chunks this way gives the gradient of one pass over the
/// whole sequence (the sum of the chunks' parameter gradients), up to
/// float rounding.
///
/// The parameter gradient is the exact gradient as long as the gradient
/// carried from step to step stays within the library's per-step bound
/// (docs/MODEL.md, "BPTT through the weightings and the memory"); beyond it, as in training, it is
/// rescaled.
///
/// Errors: NTM_ERR_NULL if `inputs`, `output_gradients` or
/// `parameter_gradient` is NULL; NTM_ERR_HANDLE; NTM_ERR_ARGUMENT as
/// `ntm_model_forward`, or if `parameter_count` is not the parameter
/// count; NTM_ERR_NONFINITE for a NaN or infinite input, state, output
/// gradient or state gradient (the message names the array and index);
/// NTM_ERR_MEMORY. On failure nothing is written.
/// Thread-safety: reads the weights: any number of threads may run a model
/// at once, but not while it is being updated.
@c public func ntm_model_backward(_ model: OpaquePointer?, _ batch: UInt, _ length: UInt,
                                  _ inputs: UnsafePointer<Float>?, _ initial_states: UnsafePointer<Float>?,
                                  _ logits: Bool, _ output_gradients: UnsafePointer<Float>?,
                                  _ final_state_gradients: UnsafePointer<Float>?,
                                  _ outputs: UnsafeMutablePointer<Float>?,
                                  _ final_states: UnsafeMutablePointer<Float>?,
                                  _ input_gradients: UnsafeMutablePointer<Float>?,
                                  _ initial_state_gradients: UnsafeMutablePointer<Float>?,
                                  _ parameter_gradient: UnsafeMutablePointer<Float>?,
                                  _ parameter_count: UInt) -> ntm_status {
    guarded("ntm_model_backward") { () throws(CError) in
        let network = try lookupModel(model)
        let run = try ChunkBatch(network, batch, length, inputs, initial_states)
        let m = network.config.outputSize
        let dOutputs = try required(output_gradients, "output_gradients")
        try checkValues(dOutputs, count: run.batch * run.length * m, "output_gradients",
                        shape: [run.batch, run.length, m])
        if let final_state_gradients {
            try checkValues(final_state_gradients, count: run.batch * run.stateSize, "final_state_gradients",
                            shape: [run.batch, run.stateSize])
        }
        let gradient = try required(parameter_gradient, "parameter_gradient")
        try expectCount(parameter_count, network.layout.count, "parameter_count", "the parameter count")
        let kind: OutputKind = logits ? .logits : .probabilities
        // Sequences add their parameter gradients into one buffer.
        gradient.update(repeating: 0, count: network.layout.count)
        for i in 0..<run.batch {
            run.pass.backward(inputs: run.inputs(i), length: run.length, initialState: run.initialState(i),
                              kind: kind, dOutputs: dOutputs + i * run.outputStride,
                              dFinalState: final_state_gradients.map { $0 + i * run.stateSize },
                              outputs: outputs.map { $0 + i * run.outputStride },
                              finalState: final_states.map { $0 + i * run.stateSize },
                              dInputs: input_gradients.map { $0 + i * run.inputStride },
                              dInitialState: initial_state_gradients.map { $0 + i * run.stateSize },
                              gradient: gradient)
        }
    }
}

// MARK: - Internals

/// The checked shared arguments of `ntm_model_forward` and
/// `ntm_model_backward`, and the pass that runs them.
private struct ChunkBatch {
    let pass: BackwardPass<Float>
    let batch: Int, length: Int, stateSize: Int, inputStride: Int, outputStride: Int
    let inputValues: UnsafePointer<Float>
    let initialStates: UnsafePointer<Float>?

    init(_ network: Network<Float>, _ batch: UInt, _ length: UInt, _ inputs: UnsafePointer<Float>?,
         _ initialStates: UnsafePointer<Float>?) throws(CError) {
        let config = network.config
        self.batch = try checkedSize(batch, "batch", 1...Limits.batch)
        self.length = try checkedSize(length, "length", 1...Limits.sequenceLength)
        let n = config.inputSize, m = config.outputSize
        _ = try product([self.batch, self.length, max(n, m)], limit: Limits.batchValues, "batch × length × channels")
        inputStride = self.length * n
        outputStride = self.length * m
        inputValues = try required(inputs, "inputs")
        try checkValues(inputValues, count: self.batch * inputStride, "inputs", shape: [self.batch, self.length, n])
        try MemoryLimit.check(network.tapeBytes(steps: self.length),
                              for: "running sequences of \(self.length) steps")
        pass = BackwardPass(network: network)
        let carried = pass.carriedState
        stateSize = carried.count
        self.initialStates = initialStates
        if let initialStates {
            try checkValues(initialStates, count: self.batch * stateSize, "initial_states",
                            shape: [self.batch, stateSize])
            // Sharpening raises weightings to a power: a negative one gives NaN.
            for i in 0..<self.batch {
                let offset = i * stateSize + carried.weightings.lowerBound
                try checkValues(initialStates + offset, count: carried.weightings.count, "initial_states",
                                shape: [self.batch, stateSize], offset: offset, nonNegative: true)
            }
        }
    }

    func inputs(_ i: Int) -> UnsafePointer<Float> { inputValues + i * inputStride }
    func initialState(_ i: Int) -> UnsafePointer<Float>? { initialStates.map { $0 + i * stateSize } }
}
