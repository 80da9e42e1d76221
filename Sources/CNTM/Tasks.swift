#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NTM

// MARK: Tasks: the paper's experiments as data generators

let taskNames: [UnsafeMutablePointer<CChar>?] = TaskDescriptor.names.map { strdup($0) }

/// The task called `name` with the options in `optionsJSON` (NULL: defaults).
func makeTask(_ name: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?) throws(CError)
    -> any SequenceTask {
    let name = try string(name, "task")
    var options: [String: Double] = [:]
    if let optionsJSON {
        let json: JSONValue
        do { json = try JSONValue.parse(String(cString: optionsJSON)) } catch {
            throw CError(.NTM_ERR_CONFIG, "task options are not valid JSON: \(error)")
        }
        guard let members = json.object else {
            throw CError(.NTM_ERR_CONFIG, "task options must be a JSON object of numbers, e.g. {\"max_length\": 5}")
        }
        for (key, value) in members {
            guard let number = value.double else {
                throw CError(.NTM_ERR_CONFIG, "task option \"\(key)\" must be a number, got \(value.serialized())")
            }
            options[key] = number
        }
    }
    do { return try TaskDescriptor.named(name).make(options: options) } catch { throw CError(error) }
}

/// The number of built-in tasks.
///
/// Errors: none. Thread-safety: any thread, any time.
@c public func ntm_task_count() -> UInt {
    UInt(taskNames.count)
}

/// The name of task `index` (0 ≤ index < `ntm_task_count()`): `"copy"`,
/// `"repeat-copy"`, `"associative-recall"`, `"dynamic-ngrams"`,
/// `"priority-sort"`; NULL if `index` is out of range.
///
/// Ownership: a static string owned by the library; never free it.
/// Errors: returns NULL for an index out of range (the last error is not set).
/// Thread-safety: any thread, any time.
@c public func ntm_task_name(_ index: UInt) -> UnsafePointer<CChar>? {
    guard index < UInt(taskNames.count) else { return nil }
    return UnsafePointer(taskNames[Int(index)])
}

/// The shape of a task's sequences: `*out_input_size` and
/// `*out_output_size`, the widths of one step's input and target vectors
/// (a model for the task needs the same sizes), and `*out_max_length`, the
/// most steps a sequence of the task can have — the `max_length` to give
/// `ntm_task_sample`. Each output may be NULL.
///
/// `options_json` is NULL (all defaults) or a JSON object of integer
/// options; a missing option takes its default:
///
///     task                options (default)
///     copy                width (8), min_length (1), max_length (20)
///     repeat-copy         width (8), min_length (1), max_length (10),
///                         min_repeats (1), max_repeats (10)
///     associative-recall  width (6), item_length (3), min_items (2), max_items (6)
///     dynamic-ngrams      order (6, 2 ... 16), length (200)
///     priority-sort       width (8), input_count (20), output_count (16)
///
/// Sizes are 1 … 100000 (items at least 2), minimums at most maximums,
/// output_count at most input_count. See Sources/NTM/Tasks for each task's
/// channel layout.
///
/// Errors: NTM_ERR_NULL if `task` is NULL; NTM_ERR_CONFIG for an unknown
/// task, options that are not a JSON object of numbers, or an unknown,
/// non-integer or out-of-range option (the message names it).
/// Thread-safety: any thread, any time.
@c public func ntm_task_shape(_ task: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
                              _ out_input_size: UnsafeMutablePointer<UInt>?,
                              _ out_output_size: UnsafeMutablePointer<UInt>?,
                              _ out_max_length: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_task_shape") { () throws(CError) in
        let made = try makeTask(task, options_json)
        store(UInt(made.inputSize), out_input_size)
        store(UInt(made.outputSize), out_output_size)
        store(UInt(made.maxSequenceLength), out_max_length)
    }
}

/// Samples `batch` (1 … 65536) sequences of a task into caller buffers, as
/// a padded batch ready for `ntm_model_evaluate` and `ntm_trainer_train`:
/// `inputs` receives `batch × max_length × input_size` floats, `targets`
/// `batch × max_length × output_size`, `mask` `batch × max_length` (1 where
/// a step's targets count, else 0), and `lengths` the `batch` lengths;
/// steps past a sequence's length are zero. `max_length` must be at least
/// the task's `*out_max_length` from `ntm_task_shape`. The same name,
/// options and `seed` always give the same batch.
///
/// Errors: NTM_ERR_NULL if `task` or a buffer is NULL; NTM_ERR_CONFIG as
/// for `ntm_task_shape`; NTM_ERR_ARGUMENT if `batch` is out of range or
/// `max_length` is too small.
/// Thread-safety: any thread, any time.
@c public func ntm_task_sample(_ task: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
                               _ seed: UInt64, _ batch: UInt, _ max_length: UInt,
                               _ inputs: UnsafeMutablePointer<Float>?, _ targets: UnsafeMutablePointer<Float>?,
                               _ mask: UnsafeMutablePointer<Float>?,
                               _ lengths: UnsafeMutablePointer<UInt>?) -> ntm_status {
    guarded("ntm_task_sample") { () throws(CError) in
        let made = try makeTask(task, options_json)
        let batch = try checkedSize(batch, "batch", 1...Limits.batch)
        guard max_length >= UInt(made.maxSequenceLength), max_length <= UInt(Limits.sequenceLength) else {
            throw CError(.NTM_ERR_ARGUMENT, "max_length = \(max_length) is out of range: the task's sequences "
                         + "have up to \(made.maxSequenceLength) steps (see ntm_task_shape), the limit is "
                         + "\(Limits.sequenceLength)")
        }
        let steps = Int(max_length), n = made.inputSize, m = made.outputSize
        _ = try product([batch, steps, max(n, m)], limit: Limits.batchValues, "batch × max_length × channels")
        let inputs = try required(inputs, "inputs"), targets = try required(targets, "targets")
        let mask = try required(mask, "mask"), lengths = try required(lengths, "lengths")
        var generator = SeededGenerator(seed: seed)
        for i in 0..<batch {
            let s = made.sample(using: &generator)
            let x = inputs + i * steps * n, y = targets + i * steps * m, w = mask + i * steps
            s.inputs.withUnsafeBufferPointer { x.update(from: $0.baseAddress!, count: $0.count) }
            s.targets.withUnsafeBufferPointer { y.update(from: $0.baseAddress!, count: $0.count) }
            s.mask.withUnsafeBufferPointer { w.update(from: $0.baseAddress!, count: $0.count) }
            (x + s.length * n).update(repeating: 0, count: (steps - s.length) * n)
            (y + s.length * m).update(repeating: 0, count: (steps - s.length) * m)
            (w + s.length).update(repeating: 0, count: steps - s.length)
            lengths[i] = UInt(s.length)
        }
    }
}
