import NTM

// MARK: Trainers: learning

/// Creates a trainer for a model: an optimiser with its state, a gradient
/// buffer, and a generator for training data seeded with `data_seed`.
/// Updates change the model's weights in place.
///
/// `optimizer_json` is NULL for the defaults (Graves' RMSProp) or a JSON
/// object; every field is optional, and any other field is rejected:
///
///     field          type    default            allowed
///     kind           string  "rmsprop"          "rmsprop" (Graves 2013, centred, epsilon inside
///                                               the root) or "adam"; "optimizer" is another name
///     learning_rate  number  1e-4 (adam: 1e-3)  0 < x <= 1
///     decay          number  0.95               0 <= x < 1 (RMSProp)
///     momentum       number  0.9                0 <= x < 1 (RMSProp)
///     epsilon        number  1e-4 (adam: 1e-8)  1e-30 <= x <= 1
///     beta1          number  0.9                0 <= x < 1 (Adam)
///     beta2          number  0.999              0 <= x < 1 (Adam)
///     clip_value     number  10                 0 <= x <= 3.4e38; element-wise gradient clip, 0 = none
///     clip_norm      number  0                  0 <= x <= 3.4e38; global gradient-norm clip, 0 = none
///
/// `threads` (1 … 256) is the number of threads a batch is spread over;
/// results are bit-identical for any number of threads.
///
/// Ownership: on success `*out_trainer` receives a new handle; free it with
/// `ntm_trainer_free`. The trainer keeps the model's weights alive: it goes
/// on working after `ntm_model_free(model)`.
/// Errors: NTM_ERR_NULL if `out_trainer` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_ARGUMENT if `threads` is out of range; NTM_ERR_CONFIG for a
/// malformed optimiser config or a field unknown or out of range (the
/// message names it).
/// Thread-safety: any thread. Updates by a trainer change its model's
/// weights, so while one trainer is training a model no other thread may
/// step, evaluate, save or train that model.
@c public func ntm_trainer_create(_ model: OpaquePointer?, _ optimizer_json: UnsafePointer<CChar>?,
                                  _ threads: UInt, _ data_seed: UInt64,
                                  _ out_trainer: UnsafeMutablePointer<OpaquePointer?>?) -> ntm_status {
    guarded("ntm_trainer_create") { () throws(CError) in
        let network = try lookupModel(model)
        let out = try required(out_trainer, "out_trainer")
        let threads = try checkedSize(threads, "threads", 1...Limits.threads)
        let optimizer = try optimizerConfig(optimizer_json)
        try MemoryLimit.check(Trainer<Float>.bytes(network: network, optimizer: optimizer.kind), for: "a trainer")
        let trainer = Trainer(network: network, optimizer: optimizer, threads: threads, dataSeed: data_seed)
        try publish(TrainerObject(trainer), kind: .trainer, to: out)
    }
}

/// Frees a trainer handle. NULL is a no-op.
///
/// Errors: NTM_ERR_HANDLE (and nothing is freed) if `trainer` is not a live
/// trainer handle — in particular when it was freed already.
/// Thread-safety: any thread; a call running on the trainer on another
/// thread finishes normally.
@c public func ntm_trainer_free(_ trainer: OpaquePointer?) -> ntm_status {
    guarded("ntm_trainer_free") { () throws(CError) in
        try handles.remove(trainer, kind: .trainer, argument: "trainer")
    }
}

/// One update from a batch of sequences: the mean over the batch of each
/// sequence's loss gradient, then gradient clipping and an optimiser step.
/// The arrays are padded batches as in `ntm_model_evaluate`; the results
/// (loss in bits and bit errors, averaged over the sequences, computed
/// before the update) may be NULL.
///
/// Errors: as `ntm_model_evaluate`, plus NTM_ERR_DIVERGED if the gradient
/// or the updated parameters or optimiser state would be non-finite (then
/// the parameters and optimiser state are unchanged; the gradient buffer
/// holds the batch's gradient) and NTM_ERR_BUSY if another thread is using
/// the trainer.
/// Thread-safety: a trainer belongs to one thread at a time. Updates the
/// model's weights: no other thread may use the model meanwhile.
@c public func ntm_trainer_train(_ trainer: OpaquePointer?, _ batch: UInt, _ max_length: UInt,
                                 _ inputs: UnsafePointer<Float>?, _ targets: UnsafePointer<Float>?,
                                 _ mask: UnsafePointer<Float>?, _ lengths: UnsafePointer<UInt>?,
                                 _ out_loss_bits: UnsafeMutablePointer<Double>?,
                                 _ out_bit_errors: UnsafeMutablePointer<Double>?) -> ntm_status {
    guarded("ntm_trainer_train") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        try object.exclusively("trainer") { () throws(CError) in
            let checked = try CheckedBatch(object, batch, max_length, inputs, targets, mask, lengths)
            defer { checked.release(to: object) }
            let result = checked.computeGradient(object.trainer)
            try update(object)
            object.trainer.sequencesSeen += checked.shape.batch
            store(result.lossBitsPerSequence, out_loss_bits)
            store(result.bitErrorsPerSequence, out_bit_errors)
        }
    }
}

/// One update from a batch of a named task (see `ntm_task_shape`), sampled
/// with the trainer's own data generator (seeded by `data_seed`, saved with
/// the trainer): `batch_size` (1 … 65536) sequences, gradient, clipping,
/// optimiser step. `options_json` is NULL or a JSON object of the task's
/// options (see `ntm_task_shape`). The task's input and output sizes must
/// match the model's. Results as in `ntm_trainer_train`.
///
/// Errors: NTM_ERR_NULL if `task` is NULL; NTM_ERR_HANDLE; NTM_ERR_CONFIG
/// for an unknown task, malformed options or an unknown or invalid option;
/// NTM_ERR_ARGUMENT if `batch_size` is out of range or the task's sizes do
/// not match the model's; NTM_ERR_DIVERGED; NTM_ERR_BUSY.
/// Thread-safety: as `ntm_trainer_train`.
@c public func ntm_trainer_train_task(_ trainer: OpaquePointer?, _ task: UnsafePointer<CChar>?,
                                      _ options_json: UnsafePointer<CChar>?, _ batch_size: UInt,
                                      _ out_loss_bits: UnsafeMutablePointer<Double>?,
                                      _ out_bit_errors: UnsafeMutablePointer<Double>?) -> ntm_status {
    guarded("ntm_trainer_train_task") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        let made = try makeTask(task, options_json)
        let batchSize = try checkedSize(batch_size, "batch_size", 1...Limits.batch)
        let config = object.trainer.network.config
        guard made.inputSize == config.inputSize, made.outputSize == config.outputSize else {
            throw CError(.NTM_ERR_ARGUMENT, "the task has \(made.inputSize) inputs and \(made.outputSize) outputs "
                         + "but the model has \(config.inputSize) and \(config.outputSize)")
        }
        let longest = made.maxSequenceLength
        try MemoryLimit.check(
            checkedSum(Trainer<Float>.sequenceBytes(count: batchSize, maxLength: longest, inputSize: made.inputSize,
                                                    outputSize: made.outputSize),
                       object.trainer.batchBytes(sequences: batchSize, maxLength: longest)),
            for: "a batch of \(batchSize) sequences of up to \(longest) steps")
        try object.exclusively("trainer") { () throws(CError) in
            let t = object.trainer
            // Sample from a copy: the generator advances only if the update succeeds.
            var generator = t.dataGenerator
            let sequences = made.batch(batchSize, using: &generator)
            let result = t.computeGradient(sequences)
            try update(object)
            t.dataGenerator = generator
            t.sequencesSeen += sequences.count
            store(result.lossBitsPerSequence, out_loss_bits)
            store(result.bitErrorsPerSequence, out_bit_errors)
        }
    }
}

/// The loss and its gradient on a batch, without an update: the gradient
/// (the mean over the batch's sequences of the gradient of each sequence's
/// cross-entropy in nats, i.e. loss bits × ln 2; unclipped) is written to
/// the trainer's gradient buffer (see `ntm_trainer_gradient`). Arrays and
/// results as in `ntm_trainer_train`.
///
/// Errors: as `ntm_model_evaluate`, plus NTM_ERR_BUSY.
/// Thread-safety: a trainer belongs to one thread at a time. Reads the
/// model's weights, so not while it is being updated.
@c public func ntm_trainer_loss_and_gradient(_ trainer: OpaquePointer?, _ batch: UInt, _ max_length: UInt,
                                             _ inputs: UnsafePointer<Float>?, _ targets: UnsafePointer<Float>?,
                                             _ mask: UnsafePointer<Float>?, _ lengths: UnsafePointer<UInt>?,
                                             _ out_loss_bits: UnsafeMutablePointer<Double>?,
                                             _ out_bit_errors: UnsafeMutablePointer<Double>?) -> ntm_status {
    guarded("ntm_trainer_loss_and_gradient") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        try object.exclusively("trainer") { () throws(CError) in
            let checked = try CheckedBatch(object, batch, max_length, inputs, targets, mask, lengths)
            defer { checked.release(to: object) }
            let result = checked.computeGradient(object.trainer)
            store(result.lossBitsPerSequence, out_loss_bits)
            store(result.bitErrorsPerSequence, out_bit_errors)
        }
    }
}

/// The trainer's gradient buffer: `*out_gradient` receives a pointer to
/// `*out_count` floats (the parameter count), in the parameter layout.
/// `ntm_trainer_loss_and_gradient` and `ntm_trainer_backward` write it;
/// the caller may read it, or write it and then call
/// `ntm_trainer_apply_gradient(trainer, NULL, 0)`. `ntm_trainer_train` and
/// `ntm_trainer_train_task` overwrite it, and an update clips it in place.
///
/// Ownership: owned by the trainer; valid until `ntm_trainer_free`. Never
/// free it.
/// Errors: NTM_ERR_NULL if `out_gradient` or `out_count` is NULL;
/// NTM_ERR_HANDLE.
/// Thread-safety: getting the pointer: any thread. Use the buffer only on
/// the thread that owns the trainer, between its calls.
@c public func ntm_trainer_gradient(_ trainer: OpaquePointer?, _ out_gradient: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>?,
                                    _ out_count: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_trainer_gradient") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        let pointerOut = try required(out_gradient, "out_gradient")
        let countOut = try required(out_count, "out_count")
        pointerOut.pointee = object.trainer.gradient.baseAddress
        countOut.pointee = UInt(object.trainer.gradient.count)
    }
}

/// One update from a gradient: `count` floats at `gradient` (the parameter
/// count; e.g. averaged over several trainers elsewhere), or, with
/// `gradient` NULL, the trainer's own gradient buffer (then `count` must be
/// 0 or the parameter count). The gradient is copied into the trainer's
/// buffer, frozen parameters' entries are zeroed, it is clipped as the
/// optimiser config says, and the optimiser takes one step.
///
/// Errors: NTM_ERR_HANDLE; NTM_ERR_ARGUMENT if `count` is not the parameter
/// count; NTM_ERR_NONFINITE if the supplied gradient holds NaN or infinity
/// (the message gives the index); NTM_ERR_DIVERGED if the trainer's own
/// gradient is non-finite or the update would make the parameters or the
/// optimiser state non-finite (nothing was changed); NTM_ERR_BUSY.
/// Thread-safety: as `ntm_trainer_train`.
@c public func ntm_trainer_apply_gradient(_ trainer: OpaquePointer?, _ gradient: UnsafePointer<Float>?,
                                          _ count: UInt) -> ntm_status {
    guarded("ntm_trainer_apply_gradient") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        let parameterCount = object.trainer.gradient.count
        if let gradient {
            try expectCount(count, parameterCount, "count", "the parameter count")
            try checkValues(gradient, count: parameterCount, "gradient", shape: [parameterCount])
        } else if count != 0 {
            try expectCount(count, parameterCount, "count", "the parameter count")
        }
        try object.exclusively("trainer") { () throws(CError) in
            var saved: [Float] = []
            if let gradient {
                saved = Array(object.trainer.gradient)
                object.trainer.gradient.baseAddress!.update(from: gradient, count: parameterCount)
            }
            do throws(CError) {
                try update(object)
            } catch {
                if gradient != nil { _ = object.trainer.gradient.update(fromContentsOf: saved) }
                throw error
            }
        }
    }
}

/// Backpropagation from output gradients the caller supplies, for an NTM
/// inside a larger model: runs the model from its initial state over
/// `length` (1 … 2^20) steps of `inputs` (`length × input_size`), then
/// backpropagates `output_gradients` (`length × output_size`), the gradient
/// of the caller's loss with respect to the output probabilities. Writes the
/// outputs to `outputs` (`length × output_size`) and the gradient with
/// respect to the inputs to `input_gradients` (`length × input_size`) when
/// they are not NULL, and the parameter gradient to the trainer's gradient
/// buffer (overwritten; see `ntm_trainer_gradient`), ready for
/// `ntm_trainer_apply_gradient(trainer, NULL, 0)`. (`ntm_model_backward`
/// does this for a batch, with the recurrent state in and out, gradients
/// with respect to logits if wanted, and no trainer.)
///
/// Errors: NTM_ERR_NULL if `inputs` or `output_gradients` is NULL;
/// NTM_ERR_HANDLE; NTM_ERR_ARGUMENT if `length` is out of range;
/// NTM_ERR_NONFINITE for a NaN or infinite input or output gradient;
/// NTM_ERR_BUSY.
/// Thread-safety: a trainer belongs to one thread at a time. Reads the
/// model's weights, so not while it is being updated.
@c public func ntm_trainer_backward(_ trainer: OpaquePointer?, _ length: UInt, _ inputs: UnsafePointer<Float>?,
                                    _ output_gradients: UnsafePointer<Float>?,
                                    _ outputs: UnsafeMutablePointer<Float>?,
                                    _ input_gradients: UnsafeMutablePointer<Float>?) -> ntm_status {
    guarded("ntm_trainer_backward") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        let config = object.trainer.network.config
        let length = try checkedSize(length, "length", 1...Limits.sequenceLength)
        let n = config.inputSize, m = config.outputSize
        _ = try product([length, max(n, m)], limit: Limits.batchValues, "length × channels")
        let inputs = try required(inputs, "inputs")
        let dOutputs = try required(output_gradients, "output_gradients")
        try checkValues(inputs, count: length * n, "inputs", shape: [length, n])
        try checkValues(dOutputs, count: length * m, "output_gradients", shape: [length, m])
        if object.backwardPass == nil || object.backwardCapacity < length {
            try MemoryLimit.check(object.trainer.network.tapeBytes(steps: length),
                                  for: "backpropagating through \(length) steps")
        }
        try object.exclusively("trainer") { () throws(CError) in
            let t = object.trainer
            let pass = object.backwardPass ?? BackwardPass(network: t.network)
            object.backwardPass = pass
            pass.run(inputs: inputs, length: length, dOutputs: dOutputs, outputs: outputs,
                     gradient: t.gradient, dInputs: input_gradients)
            object.backwardCapacity = max(object.backwardCapacity, length)
        }
    }
}

/// Saves the model and the trainer's complete state — optimiser config,
/// optimiser state and step count, the data generator's state, the number
/// of sequences seen — to `path` (safetensors, written atomically), so that
/// `ntm_trainer_load` resumes training bit-identically.
///
/// Errors: NTM_ERR_NULL if `path` is NULL; NTM_ERR_HANDLE; NTM_ERR_IO;
/// NTM_ERR_NONFINITE, and nothing is written, if a parameter is NaN,
/// infinite or beyond ±1e6, or an optimiser state value NaN or infinite;
/// NTM_ERR_BUSY.
/// Thread-safety: a trainer belongs to one thread at a time.
@c public func ntm_trainer_save(_ trainer: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> ntm_status {
    guarded("ntm_trainer_save") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        let path = try filePath(path, "path")
        try object.exclusively("trainer") { () throws(CError) in
            do throws(CheckpointError) { try saveModel(object.trainer.network, trainer: object.trainer, to: path) } catch { throw CError(error) }
        }
    }
}

/// Saves what `ntm_trainer_save` writes into memory. Two-call pattern:
/// `*out_size` (required) receives the bytes needed; with `buffer` NULL
/// nothing else is written; otherwise the bytes are copied into `buffer`
/// (`capacity` bytes) if they fit.
///
/// Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_BUFFER_TOO_SMALL; NTM_ERR_NONFINITE as for `ntm_trainer_save`;
/// NTM_ERR_BUSY.
/// Thread-safety: a trainer belongs to one thread at a time.
@c public func ntm_trainer_save_to_buffer(_ trainer: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?,
                                          _ capacity: UInt, _ out_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_trainer_save_to_buffer") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        _ = try required(out_size, "out_size")
        let bytes = try object.exclusively("trainer") { () throws(CError) in
            do throws(CheckpointError) {
                try checkSavable(object.trainer.network, trainer: object.trainer)
            } catch { throw CError(error) }
            return encodeModel(object.trainer.network, trainer: object.trainer)
        }
        try copyOut(bytes, text: false, to: buffer, capacity: capacity, size: out_size)
    }
}

/// Loads a file written by `ntm_trainer_save`: a new model and a new
/// trainer bound to it, with the saved optimiser config and state, data
/// generator and counters, using `threads` (1 … 256) threads.
///
/// Ownership: on success `*out_model` and `*out_trainer` receive new
/// handles; free each with its `_free` function. On failure neither is
/// written.
/// Errors: NTM_ERR_NULL if `path`, `out_model` or `out_trainer` is NULL;
/// NTM_ERR_ARGUMENT if `threads` is out of range; NTM_ERR_IO;
/// NTM_ERR_FORMAT as for `ntm_model_load`, or if the file holds a model
/// without trainer state.
/// Thread-safety: any thread, any time.
@c public func ntm_trainer_load(_ path: UnsafePointer<CChar>?, _ threads: UInt,
                                _ out_model: UnsafeMutablePointer<OpaquePointer?>?,
                                _ out_trainer: UnsafeMutablePointer<OpaquePointer?>?) -> ntm_status {
    guarded("ntm_trainer_load") { () throws(CError) in
        let path = try filePath(path, "path")
        let outModel = try required(out_model, "out_model"), outTrainer = try required(out_trainer, "out_trainer")
        let threads = try checkedSize(threads, "threads", 1...Limits.threads)
        let loaded: (network: Network<Float>, trainerState: TrainerState<Float>?)
        do throws(CheckpointError) { loaded = try loadModel(from: path, as: Float.self) } catch { throw CError(error) }
        try publishTrainer(loaded, threads: threads, outModel, outTrainer)
    }
}

/// Loads what `ntm_trainer_save_to_buffer` wrote: `size` bytes at `data`
/// (copied). Otherwise as `ntm_trainer_load`.
///
/// Ownership: as `ntm_trainer_load`.
/// Errors: NTM_ERR_NULL if `data`, `out_model` or `out_trainer` is NULL;
/// NTM_ERR_ARGUMENT if `threads` is out of range; NTM_ERR_FORMAT.
/// Thread-safety: any thread, any time.
@c public func ntm_trainer_load_from_buffer(_ data: UnsafeRawPointer?, _ size: UInt, _ threads: UInt,
                                            _ out_model: UnsafeMutablePointer<OpaquePointer?>?,
                                            _ out_trainer: UnsafeMutablePointer<OpaquePointer?>?) -> ntm_status {
    guarded("ntm_trainer_load_from_buffer") { () throws(CError) in
        let bytes = try byteArray(data, size)
        let outModel = try required(out_model, "out_model"), outTrainer = try required(out_trainer, "out_trainer")
        let threads = try checkedSize(threads, "threads", 1...Limits.threads)
        let loaded: (network: Network<Float>, trainerState: TrainerState<Float>?)
        do throws(CheckpointError) { loaded = try decodeModel(bytes, as: Float.self) } catch { throw CError(error) }
        try publishTrainer(loaded, threads: threads, outModel, outTrainer)
    }
}

/// The trainer's optimiser config as compact JSON text with every field
/// written (what `ntm_trainer_create` accepts). Two-call pattern as in
/// `ntm_model_config_json`.
///
/// Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE;
/// NTM_ERR_BUFFER_TOO_SMALL.
/// Thread-safety: any thread; the config never changes.
@c public func ntm_trainer_optimizer_json(_ trainer: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?,
                                          _ capacity: UInt, _ out_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_trainer_optimizer_json") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        try copyOut(object.trainer.optimizer.config.jsonText, to: buffer, capacity: capacity, size: out_size)
    }
}

/// The trainer's counters; either output may be NULL: `*out_updates` the
/// optimiser steps taken, `*out_sequences` the sequences trained on (both
/// restored by `ntm_trainer_load`).
///
/// Errors: NTM_ERR_HANDLE; NTM_ERR_BUSY.
/// Thread-safety: a trainer belongs to one thread at a time.
@c public func ntm_trainer_progress(_ trainer: OpaquePointer?, _ out_updates: UnsafeMutablePointer<UInt64>?,
                                    _ out_sequences: UnsafeMutablePointer<UInt64>?) -> ntm_status {
    guarded("ntm_trainer_progress") { () throws(CError) in
        let object = try lookupTrainer(trainer)
        try object.exclusively("trainer") {
            store(UInt64(object.trainer.optimizer.stepCount), out_updates)
            store(UInt64(object.trainer.sequencesSeen), out_sequences)
        }
    }
}

// MARK: - Internals

/// A padded batch for `object`'s model, checked. Made while holding the
/// trainer exclusively: it borrows the object's `lengthStorage`.
private struct CheckedBatch {
    var shape: BatchShape
    var config: ModelConfig
    var values: (inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, mask: UnsafePointer<Float>)

    init(_ object: TrainerObject, _ batch: UInt, _ maxLength: UInt, _ inputs: UnsafePointer<Float>?,
         _ targets: UnsafePointer<Float>?, _ mask: UnsafePointer<Float>?,
         _ lengths: UnsafePointer<UInt>?) throws(CError) {
        config = object.trainer.network.config
        // Taken out of the object while in use, so that the array is
        // uniquely referenced and refilled in place; `release` puts it back.
        var storage: [Int] = []
        swap(&storage, &object.lengthStorage)
        shape = try batchShape(batch, maxLength, lengths, channels: max(config.inputSize, config.outputSize),
                               storage: &storage)
        values = try checkBatchValues(shape, config: config, inputs: inputs, targets: targets, mask: mask)
        try MemoryLimit.check(object.trainer.batchBytes(sequences: shape.batch, maxLength: shape.maxLength),
                              for: "a batch of \(shape.batch) sequences of up to \(shape.maxLength) steps")
    }

    /// The mean gradient of the batch into the trainer's gradient buffer,
    /// read in place (`withPaddedBatch`).
    func computeGradient(_ trainer: Trainer<Float>) -> Trainer<Float>.BatchResult {
        withPaddedBatch(shape, config: config, values) { trainer.computeGradient(.padded($0)) }
    }

    /// Returns the lengths' array to `object` for the next batch.
    func release(to object: TrainerObject) {
        object.lengthStorage = shape.lengths
    }
}

/// Applies the trainer's gradient buffer; the core `Trainer` refuses (and
/// leaves everything unchanged) if the gradient or the optimiser state would
/// be non-finite, or a parameter non-finite or beyond ±1e6.
private func update(_ object: TrainerObject) throws(CError) {
    let t = object.trainer
    switch t.applyGradient() {
    case nil:
        return
    case .nonFiniteGradient(let i):
        throw CError(.NTM_ERR_DIVERGED, "the gradient is non-finite (\(t.gradient[i]) at index \(i)); nothing "
                     + "was changed")
    case .nonFiniteUpdate(let buffer, let i):
        throw CError(.NTM_ERR_DIVERGED, "the update would make the \(buffer) non-finite (at index \(i)); "
                     + "the parameters and optimiser state are unchanged (lower the learning rate or clip the gradient)")
    case .parameterOutOfRange(let i):
        throw CError(.NTM_ERR_DIVERGED, "the update would make parameter \(i) non-finite or larger than 1e6 in "
                     + "magnitude; the parameters and optimiser state are unchanged (lower the learning rate or clip "
                     + "the gradient)")
    case .nonFiniteLoss:
        throw CError(.NTM_ERR_DIVERGED, "the loss is non-finite; nothing was changed")
    }
}

private func publishTrainer(_ loaded: (network: Network<Float>, trainerState: TrainerState<Float>?), threads: Int,
                            _ outModel: UnsafeMutablePointer<OpaquePointer?>,
                            _ outTrainer: UnsafeMutablePointer<OpaquePointer?>) throws(CError) {
    guard let state = loaded.trainerState else {
        throw CError(.NTM_ERR_FORMAT, "the checkpoint holds a model without trainer state (saved with "
                     + "ntm_model_save?); load it with ntm_model_load")
    }
    try MemoryLimit.check(Trainer<Float>.bytes(network: loaded.network, optimizer: state.optimizer.kind),
                          for: "a trainer")
    let trainer: Trainer<Float>
    do throws(CheckpointError) { trainer = try state.makeTrainer(network: loaded.network, threads: threads) } catch { throw CError(error) }
    let model = try handles.insert(loaded.network, kind: .model)
    do throws(CError) {
        outTrainer.pointee = try handles.insert(TrainerObject(trainer), kind: .trainer)
    } catch {
        try? handles.remove(model, kind: .model, argument: "model")
        throw error
    }
    outModel.pointee = model
}
