#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NTM

// MARK: Presets: the paper's configurations by name

/// C strings that live as long as the process: the names the library hands
/// out as `const char *`. Made once; never freed.
let presetNames: [UnsafeMutablePointer<CChar>?] = Presets.all.map { strdup($0.name) }
let presetTasks: [UnsafeMutablePointer<CChar>?] = Presets.all.map { strdup($0.task) }

func preset(_ name: UnsafePointer<CChar>?) throws(CError) -> (index: Int, preset: Preset) {
    let name = try string(name, "name")
    let found: Preset
    do { found = try Presets.named(name) } catch { throw CError(error) }
    return (Presets.all.firstIndex(of: found) ?? 0, found)
}

/// The number of built-in presets: the paper's three networks (an NTM with
/// a feedforward controller, an NTM with an LSTM controller, the LSTM
/// baseline) on each of its five tasks.
///
/// Errors: none. Thread-safety: any thread, any time.
@c public func ntm_preset_count() -> UInt {
    UInt(Presets.all.count)
}

/// The name of preset `index` (0 ≤ index < `ntm_preset_count()`), of the
/// form `"<task>/<network>"`, e.g. `"copy/ntm-lstm"`; NULL if `index` is out
/// of range.
///
/// Ownership: a static string owned by the library; never free it.
/// Errors: returns NULL for an index out of range (the last error is not set).
/// Thread-safety: any thread, any time.
@c public func ntm_preset_name(_ index: UInt) -> UnsafePointer<CChar>? {
    guard index < UInt(presetNames.count) else { return nil }
    return UnsafePointer(presetNames[Int(index)])
}

/// The task a preset trains on and its batch size: `*out_task` receives the
/// task's name (see `ntm_task_name`) for `ntm_task_shape`, `ntm_task_sample`
/// and `ntm_trainer_train_task`, used with its default options;
/// `*out_batch_size` the sequences per update. Either output may be NULL.
///
/// Ownership: `*out_task` is a static string owned by the library.
/// Errors: NTM_ERR_NULL if `name` is NULL; NTM_ERR_CONFIG for an unknown
/// preset (the message lists the valid names).
/// Thread-safety: any thread, any time.
@c public func ntm_preset_info(_ name: UnsafePointer<CChar>?, _ out_task: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                               _ out_batch_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_preset_info") { () throws(CError) in
        let (index, found) = try preset(name)
        store(UnsafePointer(presetTasks[index]), out_task)
        store(UInt(found.batchSize), out_batch_size)
    }
}

/// A preset's model config as JSON text (every field written; see
/// `ntm_model_create` for the fields), for `ntm_model_create`.
///
/// Two-call pattern: `*out_size` (required) receives the bytes needed
/// including the terminating NUL; with `buffer` NULL nothing else is
/// written; otherwise the text is copied into `buffer` (`capacity` bytes) if
/// it fits.
///
/// Errors: NTM_ERR_NULL if `name` or `out_size` is NULL; NTM_ERR_CONFIG for
/// an unknown preset; NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but
/// smaller than `*out_size`.
/// Thread-safety: any thread, any time.
@c public func ntm_preset_model_json(_ name: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?,
                                     _ capacity: UInt, _ out_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_preset_model_json") { () throws(CError) in
        try copyOut(try preset(name).preset.model.jsonText, to: buffer, capacity: capacity, size: out_size)
    }
}

/// A preset's optimiser config as JSON text (every field written; see
/// `ntm_trainer_create` for the fields), for `ntm_trainer_create`.
/// Two-call pattern as in `ntm_preset_model_json`.
///
/// Errors: NTM_ERR_NULL if `name` or `out_size` is NULL; NTM_ERR_CONFIG for
/// an unknown preset; NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but
/// smaller than `*out_size`.
/// Thread-safety: any thread, any time.
@c public func ntm_preset_optimizer_json(_ name: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?,
                                         _ capacity: UInt, _ out_size: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_preset_optimizer_json") { () throws(CError) in
        try copyOut(try preset(name).preset.optimizer.jsonText, to: buffer, capacity: capacity, size: out_size)
    }
}
