#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NTM

// Checks of C arguments, run before anything reaches the core: the core
// states its requirements as preconditions, which must be unreachable from C.

/// Limits on sizes a caller passes, far beyond any experiment: they keep
/// every product of sizes far from overflow.
enum Limits {
    /// Sequences in one batch.
    static let batch = 1 << 16
    /// Time steps in one sequence.
    static let sequenceLength = 1 << 20
    /// Worker threads of a trainer.
    static let threads = 256
    /// Parameters of a network made through the C API (4 GiB of floats).
    static let parameters = 1 << 30
    /// Values (batch × steps × channels) in one padded batch buffer.
    static let batchValues = 1 << 34
}

/// `pointer`, or NTM_ERR_NULL naming `argument`.
func required<P>(_ pointer: P?, _ argument: String) throws(CError) -> P {
    guard let pointer else { throw CError(.NTM_ERR_NULL, "\(argument) is NULL") }
    return pointer
}

/// A C string argument as a Swift string (invalid UTF-8 is repaired).
func string(_ pointer: UnsafePointer<CChar>?, _ argument: String) throws(CError) -> String {
    String(cString: try required(pointer, argument))
}

/// A path argument, byte for byte (C paths need not be UTF-8).
func filePath(_ pointer: UnsafePointer<CChar>?, _ argument: String) throws(CError) -> FilePath {
    FilePath(cString: try required(pointer, argument))
}

/// A size argument within `range`.
func checkedSize(_ value: UInt, _ argument: String, _ range: ClosedRange<Int>) throws(CError) -> Int {
    guard value >= UInt(range.lowerBound), value <= UInt(range.upperBound) else {
        throw CError(.NTM_ERR_ARGUMENT, "\(argument) = \(value) is out of range: must be "
                     + "\(range.lowerBound)…\(range.upperBound)")
    }
    return Int(value)
}

/// A buffer length that must equal what the model needs.
func expectCount(_ value: UInt, _ expected: Int, _ argument: String, _ meaning: String) throws(CError) {
    guard value == UInt(expected) else {
        throw CError(.NTM_ERR_ARGUMENT, "\(argument) = \(value) but \(meaning) is \(expected)")
    }
}

/// `a × b × …`, or NTM_ERR_ARGUMENT if the product exceeds `limit`.
func product(_ factors: [Int], limit: Int, _ what: String) throws(CError) -> Int {
    var result = 1
    for factor in factors {
        let (value, overflow) = result.multipliedReportingOverflow(by: factor)
        guard !overflow, value <= limit else {
            throw CError(.NTM_ERR_ARGUMENT, "\(what) (\(factors.map(String.init).joined(separator: " × "))) is "
                         + "larger than the limit of \(limit) values")
        }
        result = value
    }
    return result
}

/// `"[i][j][k]"` for flat index `flat` of an array of `shape`.
func indexText(_ flat: Int, shape: [Int]) -> String {
    var rest = flat
    var parts = [Int](repeating: 0, count: shape.count)
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
        parts[d] = rest % max(shape[d], 1)
        rest /= max(shape[d], 1)
    }
    return parts.map { "[\($0)]" }.joined()
}

/// Checks that `count` floats at `pointer` are finite (and, with `unitRange`,
/// in [0, 1]; with `nonNegative`, ≥ 0). `shape` describes the whole array
/// and `offset` where these values start in it, for the message.
func checkValues(_ pointer: UnsafePointer<Float>, count: Int, _ argument: String, shape: [Int], offset: Int = 0,
                 unitRange: Bool = false, nonNegative: Bool = false) throws(CError) {
    for i in 0..<count {
        let x = pointer[i]
        if !x.isFinite {
            throw CError(.NTM_ERR_NONFINITE, "\(argument)\(indexText(offset + i, shape: shape)) is \(x)")
        }
        if unitRange && !(x >= 0 && x <= 1) {
            throw CError(.NTM_ERR_ARGUMENT, "\(argument)\(indexText(offset + i, shape: shape)) = \(x) is "
                         + "outside [0, 1]")
        }
        if nonNegative && x < 0 {
            throw CError(.NTM_ERR_ARGUMENT, "\(argument)\(indexText(offset + i, shape: shape)) = \(x) is negative")
        }
    }
}

/// Writes `value` through an optional output pointer.
@inline(__always)
func store<T>(_ value: T, _ pointer: UnsafeMutablePointer<T>?) {
    pointer?.pointee = value
}

// MARK: Output buffers

/// The two-call pattern for variable-size results. `*size` (required)
/// receives the size needed: the byte count, plus one for the terminating
/// NUL when `text` is true. With `buffer` NULL nothing else happens; with a
/// buffer of `capacity` bytes the result is copied if it fits, otherwise
/// NTM_ERR_BUFFER_TOO_SMALL.
func copyOut(_ bytes: [UInt8], text: Bool, to buffer: UnsafeMutableRawPointer?, capacity: UInt,
             size: UnsafeMutablePointer<UInt>?, _ argument: String = "buffer") throws(CError) {
    let size = try required(size, "out_size")
    let needed = bytes.count + (text ? 1 : 0)
    size.pointee = UInt(needed)
    guard let buffer else { return }
    guard capacity >= UInt(needed) else {
        throw CError(.NTM_ERR_BUFFER_TOO_SMALL, "\(argument) holds \(capacity) bytes but \(needed) are needed "
                     + "(reported in *out_size)")
    }
    bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    if text { buffer.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self) }
}

/// `copyOut` for text.
func copyOut(_ text: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: UInt,
             size: UnsafeMutablePointer<UInt>?) throws(CError) {
    try copyOut(Array(text.utf8), text: true, to: buffer.map(UnsafeMutableRawPointer.init), capacity: capacity,
                size: size)
}

// MARK: Padded batches

/// The shape of a batch of sequences as the C API passes them: each array
/// padded to `max_length` steps, sequence-major (`[batch][max_length][channels]`).
struct BatchShape {
    var batch: Int
    var maxLength: Int
    var lengths: [Int]
}

/// Reads and checks the shared shape arguments of a padded batch: `batch`
/// and `max_length` in range, and each length in 1…max_length (all
/// `max_length` when `lengths` is NULL). The checked lengths are written
/// into `storage`, which the result shares: a caller that keeps `storage`
/// between calls (a trainer's updates) reuses its capacity instead of
/// allocating.
func batchShape(_ batch: UInt, _ maxLength: UInt, _ lengths: UnsafePointer<UInt>?, channels: Int,
                storage: inout [Int]) throws(CError) -> BatchShape {
    let batch = try checkedSize(batch, "batch", 1...Limits.batch)
    let maxLength = try checkedSize(maxLength, "max_length", 1...Limits.sequenceLength)
    _ = try product([batch, maxLength, channels], limit: Limits.batchValues, "batch × max_length × channels")
    storage.removeAll(keepingCapacity: true)
    storage.reserveCapacity(batch)
    for i in 0..<batch {
        guard let lengths else { storage.append(maxLength); continue }
        let length = lengths[i]
        guard length >= 1, length <= UInt(maxLength) else {
            throw CError(.NTM_ERR_ARGUMENT, "lengths[\(i)] = \(length) is out of range: must be 1…max_length "
                         + "(\(maxLength))")
        }
        storage.append(Int(length))
    }
    return BatchShape(batch: batch, maxLength: maxLength, lengths: storage)
}

/// `batchShape` into new storage.
func batchShape(_ batch: UInt, _ maxLength: UInt, _ lengths: UnsafePointer<UInt>?, channels: Int)
    throws(CError) -> BatchShape {
    var storage: [Int] = []
    return try batchShape(batch, maxLength, lengths, channels: channels, storage: &storage)
}

/// Checks the values of a padded batch with targets: inputs finite, targets
/// finite and in [0, 1], mask finite and ≥ 0. Values past a sequence's
/// length are never read. Returns the three arrays.
func checkBatchValues(_ shape: BatchShape, config: ModelConfig, inputs: UnsafePointer<Float>?,
                      targets: UnsafePointer<Float>?, mask: UnsafePointer<Float>?)
    throws(CError) -> (inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, mask: UnsafePointer<Float>) {
    let inputs = try required(inputs, "inputs"), targets = try required(targets, "targets")
    let mask = try required(mask, "mask")
    let n = config.inputSize, m = config.outputSize, steps = shape.maxLength
    for (i, length) in shape.lengths.enumerated() {
        try checkValues(inputs + i * steps * n, count: length * n, "inputs", shape: [shape.batch, steps, n],
                        offset: i * steps * n)
        try checkValues(targets + i * steps * m, count: length * m, "targets", shape: [shape.batch, steps, m],
                        offset: i * steps * m, unitRange: true)
        try checkValues(mask + i * steps, count: length, "mask", shape: [shape.batch, steps], offset: i * steps,
                        nonNegative: true)
    }
    return (inputs, targets, mask)
}

/// `body` on a checked padded batch, which the core reads in place, with the
/// lengths as checked (a copy, so a caller changing them meanwhile cannot
/// make the core read out of bounds).
func withPaddedBatch<Value>(_ shape: BatchShape, config: ModelConfig,
                             _ values: (inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>,
                                        mask: UnsafePointer<Float>),
                             _ body: (PaddedBatch) -> Value) -> Value {
    // The checked lengths are positive, so as `UInt` they have the same bits.
    shape.lengths.withUnsafeBufferPointer { checked in
        checked.withMemoryRebound(to: UInt.self) { lengths in
            body(PaddedBatch(count: shape.batch, maxLength: shape.maxLength, inputSize: config.inputSize,
                             outputSize: config.outputSize, inputs: values.inputs, targets: values.targets,
                             mask: values.mask, lengths: lengths.baseAddress))
        }
    }
}

// MARK: Errors of the core

extension CError {
    init(_ error: ConfigError) { self.init(.NTM_ERR_CONFIG, error.message) }
    init(_ error: TaskError) { self.init(.NTM_ERR_CONFIG, error.message) }
    init(_ error: CheckpointError) {
        switch error.kind {
        case .io: self.init(.NTM_ERR_IO, error.message)
        case .nonFinite: self.init(.NTM_ERR_NONFINITE, error.message)
        case .notCheckpoint, .invalid, .corrupted: self.init(.NTM_ERR_FORMAT, error.message)
        }
    }
}

/// A model config from JSON text.
func modelConfig(_ text: String) throws(CError) -> ModelConfig {
    do { return try ModelConfig(jsonText: text) } catch { throw CError(error) }
}

/// An optimiser config from JSON text; NULL gives the defaults (RMSProp).
func optimizerConfig(_ pointer: UnsafePointer<CChar>?) throws(CError) -> OptimizerConfig {
    guard let pointer else { return .rmsprop }
    do { return try OptimizerConfig(jsonText: String(cString: pointer)) } catch { throw CError(error) }
}
