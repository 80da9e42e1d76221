import NTM

// MARK: Streams: inference one step at a time

/// Creates a stream over a model: one sequence's inference state (memory,
/// head weightings, read vectors, controller state), starting from the
/// model's initial state. Any number of streams may share one model, each
/// with its own memory. The stream keeps the model's weights alive: it goes
/// on working after `ntm_model_free(model)`.
///
/// Ownership: on success `*out_stream` receives a new handle; free it with
/// `ntm_stream_free`.
/// Errors: NTM_ERR_NULL if `out_stream` is NULL; NTM_ERR_HANDLE.
/// Thread-safety: any thread; reads the model's weights.
@c public func ntm_stream_create(_ model: OpaquePointer?,
                                 _ out_stream: UnsafeMutablePointer<OpaquePointer?>?) -> ntm_status {
    guarded("ntm_stream_create") { () throws(CError) in
        let network = try lookupModel(model)
        let out = try required(out_stream, "out_stream")
        try MemoryLimit.check(network.streamBytes, for: "a stream")
        try publish(StreamObject(InferenceStream(network: network)), kind: .stream, to: out)
    }
}

/// Frees a stream handle. NULL is a no-op.
///
/// Errors: NTM_ERR_HANDLE (and nothing is freed) if `stream` is not a live
/// stream handle — in particular when it was freed already.
/// Thread-safety: any thread; a call running on the stream on another
/// thread finishes normally.
@c public func ntm_stream_free(_ stream: OpaquePointer?) -> ntm_status {
    guarded("ntm_stream_free") { () throws(CError) in
        try handles.remove(stream, kind: .stream, argument: "stream")
    }
}

/// Puts the stream back into the model's initial state, as at the start of
/// a sequence.
///
/// Errors: NTM_ERR_HANDLE; NTM_ERR_BUSY if another thread is using the stream.
/// Thread-safety: a stream belongs to one thread at a time.
@c public func ntm_stream_reset(_ stream: OpaquePointer?) -> ntm_status {
    guarded("ntm_stream_reset") { () throws(CError) in
        let object = try lookupStream(stream)
        try object.exclusively("stream") { object.stream.reset() }
    }
}

/// One time step: reads `input_count` floats from `input` (the model's
/// input size), updates the stream's state and writes `output_count`
/// output probabilities (the model's output size) to `output`.
///
/// Errors: NTM_ERR_NULL if `input` or `output` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_ARGUMENT if a count differs from the model's size;
/// NTM_ERR_NONFINITE for a NaN or infinite input (the state is unchanged);
/// NTM_ERR_BUSY if another thread is using the stream.
/// Thread-safety: a stream belongs to one thread at a time; steps of
/// different streams over one model may run on different threads at once.
/// Reads the model's weights, so not while the model is being updated.
@c public func ntm_stream_step(_ stream: OpaquePointer?, _ input: UnsafePointer<Float>?, _ input_count: UInt,
                               _ output: UnsafeMutablePointer<Float>?, _ output_count: UInt) -> ntm_status {
    guarded("ntm_stream_step") { () throws(CError) in
        let object = try lookupStream(stream)
        let config = object.stream.network.config
        let input = try required(input, "input"), output = try required(output, "output")
        try expectCount(input_count, config.inputSize, "input_count", "the model's input size")
        try expectCount(output_count, config.outputSize, "output_count", "the model's output size")
        try checkValues(input, count: config.inputSize, "input", shape: [config.inputSize])
        try object.exclusively("stream") { object.stream.step(input, output: output) }
    }
}

/// The number of steps taken since the stream was created or last reset.
///
/// Errors: NTM_ERR_NULL if `out_steps` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_BUSY if another thread is using the stream.
/// Thread-safety: a stream belongs to one thread at a time.
@c public func ntm_stream_step_count(_ stream: OpaquePointer?, _ out_steps: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_stream_step_count") { () throws(CError) in
        let object = try lookupStream(stream)
        let out = try required(out_steps, "out_steps")
        out.pointee = try object.exclusively("stream") { UInt(object.stream.steps) }
    }
}

/// Copies the stream's memory after its last step (after a reset: the
/// initial memory) into `out_values`: `count` must be N × M (memory rows ×
/// width, see `ntm_model_shape`), row-major; 0 for the LSTM baseline, which
/// has no memory (then `out_values` may be NULL).
///
/// Errors: NTM_ERR_NULL if `out_values` is NULL and `count` is not 0;
/// NTM_ERR_HANDLE; NTM_ERR_ARGUMENT if `count` is not N × M; NTM_ERR_BUSY.
/// Thread-safety: a stream belongs to one thread at a time.
@c public func ntm_stream_memory(_ stream: OpaquePointer?, _ out_values: UnsafeMutablePointer<Float>?,
                                 _ count: UInt) -> ntm_status {
    guarded("ntm_stream_memory") { () throws(CError) in
        let object = try lookupStream(stream)
        try object.exclusively("stream") { () throws(CError) in
            try expectCount(count, object.stream.memoryCount, "count", "N × M (memory rows × width)")
            guard object.stream.memoryCount > 0 else { return }
            object.stream.copyMemory(into: try required(out_values, "out_values"))
        }
    }
}

/// Copies head `head`'s weighting over the memory rows after the last step
/// (after a reset: the initial weighting) into `out_values`: `count` = N
/// floats, which sum to 1. Heads are numbered write heads first, then read
/// heads: 0 … write_heads + read_heads − 1.
///
/// Errors: NTM_ERR_NULL if `out_values` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_ARGUMENT if `head` is out of range (the LSTM baseline has no
/// heads) or `count` is not N; NTM_ERR_BUSY.
/// Thread-safety: a stream belongs to one thread at a time.
@c public func ntm_stream_weighting(_ stream: OpaquePointer?, _ head: UInt, _ out_values: UnsafeMutablePointer<Float>?,
                                    _ count: UInt) -> ntm_status {
    guarded("ntm_stream_weighting") { () throws(CError) in
        let object = try lookupStream(stream)
        let config = object.stream.network.config
        let heads = config.readHeads + config.writeHeads
        guard head < UInt(heads) else {
            throw CError(.NTM_ERR_ARGUMENT, heads == 0 ? "head = \(head), but the model has no heads"
                         : "head = \(head) is out of range: the model has \(heads) heads, 0…\(heads - 1)")
        }
        try object.exclusively("stream") { () throws(CError) in
            try copyState(object.stream.weighting(head: Int(head)), to: out_values, count: count, "N (memory rows)")
        }
    }
}

/// Copies the read vectors after the last step (after a reset: the initial
/// read vectors) into `out_values`: `count` = read_heads × M floats, one
/// row of M per read head; 0 for the LSTM baseline (then `out_values` may
/// be NULL).
///
/// Errors: NTM_ERR_NULL if `out_values` is NULL and `count` is not 0;
/// NTM_ERR_HANDLE; NTM_ERR_ARGUMENT if `count` is not read_heads × M;
/// NTM_ERR_BUSY.
/// Thread-safety: a stream belongs to one thread at a time.
@c public func ntm_stream_read_vectors(_ stream: OpaquePointer?, _ out_values: UnsafeMutablePointer<Float>?,
                                       _ count: UInt) -> ntm_status {
    guarded("ntm_stream_read_vectors") { () throws(CError) in
        let object = try lookupStream(stream)
        try object.exclusively("stream") { () throws(CError) in
            try copyState(object.stream.reads, to: out_values, count: count, "read_heads × M")
        }
    }
}

private func copyState(_ values: UnsafeBufferPointer<Float>, to out: UnsafeMutablePointer<Float>?, count: UInt,
                       _ meaning: String) throws(CError) {
    try expectCount(count, values.count, "count", meaning)
    guard values.count > 0 else { return }
    let out = try required(out, "out_values")
    out.update(from: values.baseAddress!, count: values.count)
}
