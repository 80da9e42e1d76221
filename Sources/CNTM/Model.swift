import NTM

// MARK: Models: config and weights

/// Creates a model from a JSON config and a seed for its initial weights
/// (the same config and seed give the same weights on every platform).
///
/// The config is a JSON object; every field but `input_size` and
/// `output_size` is optional, and any other field is rejected:
///
///     field                 type      default   allowed
///     kind                  string    "ntm"     "ntm" (controller + heads + memory) or
///                                               "lstm" (the paper's LSTM baseline: no heads, no memory)
///     input_size            integer   required  1 ... 65536
///     output_size           integer   required  1 ... 65536
///     controller            string    "lstm"    "feedforward" or "lstm" ("lstm" when kind is "lstm")
///     controller_layers     [integer] [100]     1 ... 8 layer sizes, each 1 ... 4096
///     read_heads            integer   1         1 ... 64 (kind "lstm": 0)
///     write_heads           integer   1         1 ... 64 (kind "lstm": 0)
///     memory_rows           integer   128       N, 1 ... 65536 (kind "lstm": 0, unused)
///     memory_width          integer   20        M, 1 ... 4096, N x M <= 2^24 (kind "lstm": 0, unused)
///     shift_range           integer   1         S, shifts -S ... +S, 2S + 1 <= N (kind "lstm": 0)
///     initial_memory        string    "constant" "constant", "learned" or "random"
///     initial_memory_value  number    1e-6      from -1e6 to 1e6 (for "constant")
///     add_activation        string    "linear"  "linear" or "tanh"
///     initial_weighting     string    "focused" "focused" (every head's learned w_0 starts on
///                                               location 0) or "random" (logits uniform +-1)
///
/// Integers may be written `3` or `3.0`, not `2.5` or `"3"`. See
/// docs/MODEL.md for what each choice means.
///
/// Ownership: on success `*out_model` receives a new handle; free it with
/// `ntm_model_free`. On failure `*out_model` is not written.
/// Errors: NTM_ERR_NULL if `config_json` or `out_model` is NULL;
/// NTM_ERR_CONFIG if the JSON is malformed (the message gives line and
/// column), has an unknown field, or a value of the wrong type or out of
/// range (the message names the field), or if the network would have more
/// than 2^30 parameters.
/// Thread-safety: any thread, any time.
@c public func ntm_model_create(_ config_json: UnsafePointer<CChar>?, _ seed: UInt64,
                                _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> ntm_status {
    guarded("ntm_model_create") { () throws(CError) in
        let text = try string(config_json, "config_json")
        let out = try required(out_model, "out_model")
        try publish(try makeNetwork(try modelConfig(text), seed: seed), kind: .model, to: out)
    }
}

/// The default config of a model kind as JSON text: every field
/// `ntm_model_create` accepts, in its order, with the value it takes when
/// the field is left out, and `null` for the two required sizes. `kind` is
/// NULL or `"ntm"` (an NTM), or `"lstm"` (the LSTM baseline: no heads, no
/// memory). Bindings read the defaults here instead of restating them.
///
/// Two-call pattern: `*out_size` (required) receives the bytes needed
/// including the terminating NUL; with `buffer` NULL nothing else is
/// written; otherwise the text is copied into `buffer` (`capacity` bytes) if
/// it fits.
///
/// Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_CONFIG for any other
/// kind; NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but smaller than
/// `*out_size`.
/// Thread-safety: any thread, any time.
@c public func ntm_model_default_config_json(_ kind: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?,
                                             _ capacity: UInt, _ out_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_model_default_config_json") { () throws(CError) in
        let name = kind == nil ? "ntm" : try string(kind, "kind")
        // The defaults are what the parser fills in (it also checks the
        // kind), so they cannot drift from what `ntm_model_create` does with
        // a field left out.
        let minimal = JSONValue.object([(key: "kind", value: .string(name)), (key: "input_size", value: .number(1)),
                                        (key: "output_size", value: .number(1))])
        let parsed: ModelConfig
        do throws(ConfigError) { parsed = try ModelConfig(json: minimal) } catch { throw CError(error) }
        guard case .object(let members) = parsed.json else {
            throw CError(.NTM_ERR_INTERNAL, "a model config did not serialise as a JSON object")
        }
        let defaults = JSONValue.object(members.map { member in
            member.key == "input_size" || member.key == "output_size" ? (key: member.key, value: .null) : member
        })
        try copyOut(defaults.serialized(), to: buffer, capacity: capacity, size: out_size)
    }
}

/// Creates a model from a built-in preset (see `ntm_preset_name`), e.g.
/// `"copy/ntm-lstm"`, with initial weights from `seed`.
///
/// Ownership: on success `*out_model` receives a new handle; free it with
/// `ntm_model_free`.
/// Errors: NTM_ERR_NULL if `name` or `out_model` is NULL; NTM_ERR_CONFIG for
/// an unknown preset (the message lists the valid names).
/// Thread-safety: any thread, any time.
@c public func ntm_model_create_preset(_ name: UnsafePointer<CChar>?, _ seed: UInt64,
                                       _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> ntm_status {
    guarded("ntm_model_create_preset") { () throws(CError) in
        let found = try preset(name).preset
        let out = try required(out_model, "out_model")
        try publish(try makeNetwork(found.model, seed: seed), kind: .model, to: out)
    }
}

/// Frees a model handle. NULL is a no-op. Streams and trainers made from the
/// model keep its weights alive and go on working; the weights are released
/// when the last of them is freed.
///
/// Errors: NTM_ERR_HANDLE (and nothing is freed) if `model` is not a live
/// model handle — in particular when it was freed already, so freeing twice
/// is detected and harmless.
/// Thread-safety: any thread; calls already running on the model on other
/// threads finish normally.
@c public func ntm_model_free(_ model: OpaquePointer?) -> ntm_status {
    guarded("ntm_model_free") { () throws(CError) in
        try handles.remove(model, kind: .model, argument: "model")
    }
}

/// The model's config as compact JSON text with every field written, which
/// `ntm_model_create` accepts.
///
/// Two-call pattern: `*out_size` (required) receives the bytes needed
/// including the terminating NUL; with `buffer` NULL nothing else is
/// written; otherwise the text is copied into `buffer` (`capacity` bytes) if
/// it fits.
///
/// Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but smaller than `*out_size`.
/// Thread-safety: any thread; reads only the config, which never changes.
@c public func ntm_model_config_json(_ model: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?,
                                     _ capacity: UInt, _ out_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_model_config_json") { () throws(CError) in
        let network = try lookupModel(model)
        try copyOut(network.config.jsonText, to: buffer, capacity: capacity, size: out_size)
    }
}

/// The model's sizes; each output may be NULL. `out_input_size` and
/// `out_output_size`: the widths of one step's input and output vectors;
/// `out_parameter_count`: the length of the parameter (and gradient)
/// buffer; `out_memory_rows` (N) and `out_memory_width` (M): the memory
/// (0 for the LSTM baseline); `out_read_heads` and `out_write_heads`. Heads
/// are numbered write heads first, then read heads.
///
/// Errors: NTM_ERR_HANDLE.
/// Thread-safety: any thread; reads only the config, which never changes.
@c public func ntm_model_shape(_ model: OpaquePointer?, _ out_input_size: UnsafeMutablePointer<UInt>?,
                               _ out_output_size: UnsafeMutablePointer<UInt>?,
                               _ out_parameter_count: UnsafeMutablePointer<UInt>?,
                               _ out_memory_rows: UnsafeMutablePointer<UInt>?,
                               _ out_memory_width: UnsafeMutablePointer<UInt>?,
                               _ out_read_heads: UnsafeMutablePointer<UInt>?,
                               _ out_write_heads: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_model_shape") { () throws(CError) in
        let network = try lookupModel(model)
        let config = network.config
        let hasMemory = config.kind == .ntm
        store(UInt(config.inputSize), out_input_size)
        store(UInt(config.outputSize), out_output_size)
        store(UInt(network.layout.count), out_parameter_count)
        store(UInt(hasMemory ? config.memoryRows : 0), out_memory_rows)
        store(UInt(hasMemory ? config.memoryWidth : 0), out_memory_width)
        store(UInt(config.readHeads), out_read_heads)
        store(UInt(config.writeHeads), out_write_heads)
    }
}

/// The model's parameters: `*out_parameters` receives a pointer to its one
/// flat buffer of `*out_count` floats, in the layout of docs/MODEL.md (the
/// tensors of a saved model, in order). Writes through the pointer change
/// the model at once, for every stream, trainer and evaluation using it;
/// keep them finite and within +-1e6, the range the library trains, saves
/// and loads (saving refuses other values).
///
/// Ownership: the buffer belongs to the model's weights; it stays valid
/// while the model or any stream or trainer made from it is alive. Never
/// free it.
/// Errors: NTM_ERR_NULL if `out_parameters` or `out_count` is NULL;
/// NTM_ERR_HANDLE.
/// Thread-safety: getting the pointer: any thread. Writing through it is
/// an update of the model: it must not overlap with any other call that
/// reads or updates the model's weights (steps, evaluation, training,
/// saving) on any thread.
@c public func ntm_model_parameters(_ model: OpaquePointer?, _ out_parameters: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>?,
                                    _ out_count: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_model_parameters") { () throws(CError) in
        let network = try lookupModel(model)
        let pointerOut = try required(out_parameters, "out_parameters")
        let countOut = try required(out_count, "out_count")
        pointerOut.pointee = network.parameters.baseAddress
        countOut.pointee = UInt(network.parameters.count)
    }
}

/// Saves the model (config and weights) to `path` as a safetensors file
/// (readable by Python's `safetensors` package): one float32 tensor per
/// parameter tensor, the config as JSON in the metadata and a CRC-32C
/// checksum of the tensor data. The write is atomic: afterwards the file
/// holds either its old content or the complete new one. `path` is used
/// byte for byte (it need not be UTF-8). The data goes first to
/// `<path>.<pid>.<n>.tmp`; such files left by a process killed mid-save are
/// removed by the next successful save to the same path.
///
/// Errors: NTM_ERR_NULL if `path` is NULL; NTM_ERR_HANDLE; NTM_ERR_IO if the
/// file cannot be written (the message has the system's reason);
/// NTM_ERR_NONFINITE, and nothing is written, if a parameter is NaN,
/// infinite or beyond ±1e6 (a file that loading would refuse).
/// Thread-safety: reads the weights: may run alongside steps and
/// evaluations of the model, not alongside updates of it.
@c public func ntm_model_save(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> ntm_status {
    guarded("ntm_model_save") { () throws(CError) in
        let network = try lookupModel(model)
        let path = try filePath(path, "path")
        do throws(CheckpointError) { try saveModel(network, to: path) } catch { throw CError(error) }
    }
}

/// Saves the model into memory: the same bytes `ntm_model_save` writes.
/// Two-call pattern: `*out_size` (required) receives the bytes needed; with
/// `buffer` NULL nothing else is written; otherwise the bytes are copied
/// into `buffer` (`capacity` bytes) if they fit.
///
/// Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but smaller than `*out_size`;
/// NTM_ERR_NONFINITE as for `ntm_model_save`.
/// Thread-safety: as `ntm_model_save`.
@c public func ntm_model_save_to_buffer(_ model: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?,
                                        _ capacity: UInt, _ out_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_model_save_to_buffer") { () throws(CError) in
        let network = try lookupModel(model)
        _ = try required(out_size, "out_size")
        do throws(CheckpointError) { try checkSavable(network) } catch { throw CError(error) }
        try copyOut(encodeModel(network), text: false, to: buffer, capacity: capacity, size: out_size)
    }
}

/// Loads a model saved by `ntm_model_save` or `ntm_trainer_save` (any
/// trainer state in the file is ignored). Loading creates a new model;
/// existing models are never touched.
///
/// Ownership: on success `*out_model` receives a new handle; free it with
/// `ntm_model_free`.
/// Errors: NTM_ERR_NULL if `path` or `out_model` is NULL; NTM_ERR_IO if the
/// file cannot be read, is larger than 2 GiB, or is not a regular file (a
/// FIFO, device or directory is refused without reading); NTM_ERR_FORMAT if
/// it is not an ntm checkpoint or is damaged: truncated, not safetensors,
/// another program's safetensors file, an invalid config, missing or
/// mis-shaped tensors, non-finite values, a parameter beyond ±1e6 (which
/// this library never trains or saves; within it the outputs of inputs of
/// ordinary size are finite), or a checksum mismatch (the message says
/// which).
/// Thread-safety: any thread, any time.
@c public func ntm_model_load(_ path: UnsafePointer<CChar>?,
                              _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> ntm_status {
    guarded("ntm_model_load") { () throws(CError) in
        let path = try filePath(path, "path")
        let out = try required(out_model, "out_model")
        let loaded: Network<Float>
        do throws(CheckpointError) { loaded = try loadModel(from: path, as: Float.self).network } catch { throw CError(error) }
        try publish(loaded, kind: .model, to: out)
    }
}

/// Loads a model from `size` bytes at `data`, as written by
/// `ntm_model_save_to_buffer` (or read from a file `ntm_model_save` wrote).
/// The bytes are copied; the caller keeps ownership of `data`.
///
/// Ownership: on success `*out_model` receives a new handle; free it with
/// `ntm_model_free`.
/// Errors: NTM_ERR_NULL if `data` or `out_model` is NULL; NTM_ERR_FORMAT as
/// for `ntm_model_load`.
/// Thread-safety: any thread, any time.
@c public func ntm_model_load_from_buffer(_ data: UnsafeRawPointer?, _ size: UInt,
                                          _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> ntm_status {
    guarded("ntm_model_load_from_buffer") { () throws(CError) in
        let bytes = try byteArray(data, size)
        let out = try required(out_model, "out_model")
        let loaded: Network<Float>
        do throws(CheckpointError) { loaded = try decodeModel(bytes, as: Float.self).network } catch { throw CError(error) }
        try publish(loaded, kind: .model, to: out)
    }
}

/// Runs the model over a batch of sequences without learning: the loss and
/// bit errors, and optionally the outputs.
///
/// Arrays are padded to `max_length` steps and sequence-major: `inputs`
/// holds `batch × max_length × input_size` floats (sequence `i`, step `t`
/// at `inputs[(i * max_length + t) * input_size]`), `targets` `batch ×
/// max_length × output_size` floats in [0, 1], `mask` `batch × max_length`
/// floats ≥ 0 (the weight of each step's loss; 0 = no target). `lengths`
/// holds each sequence's length (1 … max_length), or is NULL when all are
/// `max_length`; values past a sequence's length are never read. `batch` is
/// 1 … 65536, `max_length` 1 … 2^20.
///
/// Results: `*out_loss_bits` the cross-entropy over the masked steps in
/// bits, and `*out_bit_errors` the outputs on the wrong side of ½ over the
/// masked steps, both averaged over the batch's sequences; `outputs`
/// (`batch × max_length × output_size`) the output probabilities, zero past
/// each sequence's length. Each result pointer may be NULL.
///
/// Errors: NTM_ERR_NULL if `inputs`, `targets` or `mask` is NULL;
/// NTM_ERR_HANDLE; NTM_ERR_ARGUMENT for `batch`, `max_length` or a length out
/// of range, a target outside [0, 1] or a negative mask value;
/// NTM_ERR_NONFINITE for a NaN or infinite input, target or mask value (the
/// message names the array and index).
/// Thread-safety: reads the weights: any number of threads may evaluate and
/// step a model at once, but not while it is being updated.
@c public func ntm_model_evaluate(_ model: OpaquePointer?, _ batch: UInt, _ max_length: UInt,
                                  _ inputs: UnsafePointer<Float>?, _ targets: UnsafePointer<Float>?,
                                  _ mask: UnsafePointer<Float>?, _ lengths: UnsafePointer<UInt>?,
                                  _ outputs: UnsafeMutablePointer<Float>?,
                                  _ out_loss_bits: UnsafeMutablePointer<Double>?,
                                  _ out_bit_errors: UnsafeMutablePointer<Double>?) -> ntm_status {
    guarded("ntm_model_evaluate") { () throws(CError) in
        let network = try lookupModel(model)
        let config = network.config
        let shape = try batchShape(batch, max_length, lengths, channels: max(config.inputSize, config.outputSize))
        let values = try checkBatchValues(shape, config: config, inputs: inputs, targets: targets, mask: mask)
        // The batch is read in place, not copied: the sequences' bytes now
        // bound the per-sequence results from above. Kept so that the same
        // calls as before fail for memory.
        try MemoryLimit.check(
            checkedSum(Trainer<Float>.sequenceBytes(count: shape.batch, maxLength: shape.maxLength,
                                                    inputSize: config.inputSize, outputSize: config.outputSize),
                       network.tapeBytes(steps: shape.maxLength)),
            for: "evaluating \(shape.batch) sequences of up to \(shape.maxLength) steps")
        let destination: EvaluationOutputs = outputs.map { .padded($0, maxLength: shape.maxLength) } ?? .dropped
        let evaluation = withPaddedBatch(shape, config: config, values) {
            BatchEvaluator(network: network).evaluate(.padded($0), outputs: destination)
        }
        store(evaluation.lossBitsPerSequence, out_loss_bits)
        store(evaluation.bitErrorsPerSequence, out_bit_errors)
    }
}

/// A new network, if its parameters fit the limit.
func makeNetwork(_ config: ModelConfig, seed: UInt64) throws(CError) -> Network<Float> {
    let count = ParameterLayout(config).count
    guard count <= Limits.parameters else {
        throw CError(.NTM_ERR_CONFIG, "the config describes a network of \(count) parameters, more than the limit "
                     + "of \(Limits.parameters)")
    }
    try MemoryLimit.check(checkedProduct(count, MemoryLayout<Float>.stride), for: "a network of \(count) parameters")
    return Network<Float>(config: config, seed: seed)
}

/// `size` bytes at `data`, copied.
func byteArray(_ data: UnsafeRawPointer?, _ size: UInt) throws(CError) -> [UInt8] {
    let data = try required(data, "data")
    guard size <= UInt(Int.max) else { throw CError(.NTM_ERR_ARGUMENT, "size = \(size) is too large") }
    return Array(UnsafeRawBufferPointer(start: data, count: Int(size)))
}
