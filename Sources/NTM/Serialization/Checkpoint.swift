// Checkpoints: a network's config and weights — and optionally a trainer's
// complete state, so that training resumes bit-identically — in one
// safetensors file, which the wider tooling (Python `safetensors`, PyTorch,
// NumPy) can open without our code.
//
// File contents (format version 1):
//
//   tensors
//     <name>                one per ParameterLayout tensor, named and shaped
//                           as in the layout (e.g. "controller.0.kernel"
//                           [inputs + units, 4·units]); dtype F32 for a
//                           Network<Float>, F64 for a Network<Double>
//     optimizer.<buffer>    with trainer state only: each optimiser state
//                           buffer (e.g. "optimizer.rmsprop.n"), shape
//                           [parameter count], same dtype as the parameters
//     trainer.rng_state     with trainer state only: U64 [4], the data
//                           generator's xoshiro256** state
//   metadata (all strings, as safetensors requires)
//     format          "ntm"
//     format_version  "1"
//     dtype           "float32" or "float64": the dtype of every float tensor
//     config          the model config as JSON (see ModelConfig.init(json:))
//     checksum        see `checkpointChecksum`
//     optimizer       with trainer state only: the optimiser config as JSON
//     optimizer_steps with trainer state only: updates done, decimal
//     sequences_seen  with trainer state only: sequences trained on, decimal
//
// Other metadata keys are ignored when loading, so tools may annotate files.
// Other tensors are rejected: a tensor the config does not explain means the
// file and the config disagree.

/// Why a checkpoint could not be saved or loaded. The message says what is
/// wrong and names the tensor or metadata field at fault.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The file could not be read or written.
        case io
        /// Not a checkpoint of ours: not safetensors, no or foreign "format",
        /// or a format version this library does not read.
        case notCheckpoint
        /// Our format, but the contents do not fit together: an invalid
        /// config, a missing, extra or mis-shaped tensor, non-finite values.
        case invalid
        /// The tensor data does not match its checksum.
        case corrupted
        /// A model or trainer to be saved holds a NaN or an infinity, which
        /// loading would refuse; nothing was written.
        case nonFinite
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Names and values of the format.
public enum CheckpointFormat {
    /// The value of the "format" metadata key.
    public static let name = "ntm"
    /// The format version written, and the only one read.
    public static let version = 1
    /// The name of the data generator's state tensor.
    public static let rngTensorName = "trainer.rng_state"
    /// The prefix of the optimiser state tensors.
    public static let optimizerPrefix = "optimizer."
    /// The largest step count or sequence count a checkpoint may hold: 2^53.
    /// No run comes near it (a million sequences a second for 285 years),
    /// Adam's bias correction uses the step count as an exact `Double` up
    /// to it, and counting on from it cannot overflow an `Int`.
    public static let counterLimit = 1 << 53
}

/// A trainer's state apart from the network's weights: everything needed to
/// continue training exactly where it stopped.
public struct TrainerState<T: NTMScalar>: Equatable, Sendable {
    /// One optimiser state buffer, as long as the parameter vector.
    public struct Buffer: Equatable, Sendable {
        /// The optimiser's name for it, e.g. "rmsprop.n".
        public var name: String
        public var values: [T]

        public init(name: String, values: [T]) {
            self.name = name
            self.values = values
        }
    }

    public var optimizer: OptimizerConfig
    /// The optimiser's update count (Adam's bias correction depends on it).
    public var stepCount: Int
    public var sequencesSeen: Int
    /// The data generator's four state words (not all zero).
    public var rngState: [UInt64]
    /// In the optimiser's `stateBuffers` order.
    public var buffers: [Buffer]

    public init(optimizer: OptimizerConfig, stepCount: Int, sequencesSeen: Int,
                rngState: [UInt64], buffers: [Buffer]) {
        self.optimizer = optimizer
        self.stepCount = stepCount
        self.sequencesSeen = sequencesSeen
        self.rngState = rngState
        self.buffers = buffers
    }

    /// A snapshot of `trainer`'s state (copied).
    public init(of trainer: Trainer<T>) {
        optimizer = trainer.optimizer.config
        stepCount = trainer.optimizer.stepCount
        sequencesSeen = trainer.sequencesSeen
        rngState = trainer.dataGenerator.state
        buffers = trainer.optimizer.stateBuffers.map { Buffer(name: $0.name, values: Array($0.buffer)) }
    }

    /// Copies this state into `trainer`: optimiser buffers and step count,
    /// data generator, sequences seen. The trainer's own optimiser
    /// hyper-parameters are kept (which allows resuming with, say, a lower
    /// learning rate); its optimiser kind must match, since the state
    /// buffers differ between kinds. Throws, changing nothing, if the
    /// trainer does not fit this state.
    public func restore(into trainer: Trainer<T>) throws(CheckpointError) {
        let target = trainer.optimizer.stateBuffers
        let count = trainer.network.layout.count
        guard trainer.optimizer.config.kind == optimizer.kind else {
            throw CheckpointError(.invalid, "the trainer uses \(trainer.optimizer.config.kind.rawValue) but "
                                  + "the saved state is for \(optimizer.kind.rawValue)")
        }
        guard target.map(\.name) == buffers.map(\.name) else {
            throw CheckpointError(.invalid, "the trainer's optimiser state buffers \(target.map(\.name)) "
                                  + "differ from the saved ones \(buffers.map(\.name))")
        }
        for buffer in buffers where buffer.values.count != count {
            throw CheckpointError(.invalid, "saved optimiser state \"\(buffer.name)\" has \(buffer.values.count) "
                                  + "values but the trainer's network has \(count) parameters")
        }
        let limit = CheckpointFormat.counterLimit
        guard (0...limit).contains(stepCount), (0...limit).contains(sequencesSeen) else {
            throw CheckpointError(.invalid, "step count (\(stepCount)) and sequences seen (\(sequencesSeen)) "
                                  + "must lie between 0 and \(limit)")
        }
        guard rngState.count == 4, rngState.contains(where: { $0 != 0 }) else {
            throw CheckpointError(.invalid, "the data generator's state must be four words, not all zero")
        }
        for (buffer, destination) in zip(buffers, target) {
            _ = destination.buffer.update(fromContentsOf: buffer.values)
        }
        trainer.optimizer.stepCount = stepCount
        trainer.dataGenerator.state = rngState
        trainer.sequencesSeen = sequencesSeen
    }

    /// A new trainer for `network` with this state restored, using the
    /// saved optimiser config.
    public func makeTrainer(network: Network<T>, threads: Int = 1) throws(CheckpointError) -> Trainer<T> {
        let trainer = Trainer(network: network, optimizer: optimizer, threads: threads)
        try restore(into: trainer)
        return trainer
    }
}

// MARK: - Checksum

/// The checkpoint checksum: the CRC-32C (`crc32c`) of the data bytes of the
/// given tensors, concatenated in the given order, exactly as they are
/// stored in the file (little-endian, in the file's dtype). Checkpoints use
/// this order: the parameter tensors in `ParameterLayout` order; then, if
/// the file holds trainer state, the optimiser state tensors in the
/// optimiser's `stateBuffers` order and last `trainer.rng_state`. That is
/// also the order in which `encodeModel` stores the tensors, so for files it
/// writes the checksum is simply the CRC-32C of the whole data section (all
/// bytes after the header), which any tool can verify.
///
/// The metadata is not covered: it is JSON text that loading parses
/// strictly and checks against the tensors (a damaged config gives a parse
/// error or a shape mismatch rather than passing silently).
///
/// Stored as 8 lowercase hexadecimal digits.
func checkpointChecksum(_ tensors: [SafeTensor]) -> UInt32 {
    var crc: UInt32 = 0
    for tensor in tensors { crc = crc32c(tensor.data, seed: crc) }
    return crc
}

private func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

// MARK: - Encoding

/// The file dtype for networks computing in `T`: F32 for `Float`, F64
/// otherwise (lossless for `Double`).
private func fileDType<T: NTMScalar>(_: T.Type) -> SafeTensorDType {
    T.self == Float.self ? .f32 : .f64
}

/// The "dtype" metadata value for a file dtype.
private func dtypeName(_ dtype: SafeTensorDType) -> String {
    dtype == .f32 ? "float32" : "float64"
}

private func floatTensor<T: NTMScalar>(_ name: String, shape: [Int], _ values: UnsafeBufferPointer<T>) -> SafeTensor {
    if fileDType(T.self) == .f32 {
        return SafeTensor(name: name, shape: shape, floats: values.map { Float($0) })
    }
    return SafeTensor(name: name, shape: shape, doubles: values.map { Double($0) })
}

/// A checkpoint of `network` — and, with `trainer`, of the trainer's full
/// state — as safetensors bytes (see the top of Checkpoint.swift for the
/// contents). `trainer` must be training `network`.
public func encodeModel<T: NTMScalar>(_ network: Network<T>, trainer: Trainer<T>? = nil) -> [UInt8] {
    let dtype = fileDType(T.self)
    var tensors: [SafeTensor] = []
    for tensor in network.layout.tensors {
        let values = UnsafeBufferPointer(rebasing: network.parameters[tensor.range])
        tensors.append(floatTensor(tensor.name, shape: tensor.shape, values))
    }
    var trainerMetadata: [(key: String, value: String)] = []
    if let trainer {
        precondition(trainer.network === network, "encodeModel: the trainer trains a different network")
        let count = network.layout.count
        for state in trainer.optimizer.stateBuffers {
            tensors.append(floatTensor(CheckpointFormat.optimizerPrefix + state.name, shape: [count],
                                       UnsafeBufferPointer(state.buffer)))
        }
        tensors.append(SafeTensor(name: CheckpointFormat.rngTensorName, shape: [4],
                                  uint64s: trainer.dataGenerator.state))
        trainerMetadata = [
            (key: "optimizer", value: trainer.optimizer.config.jsonText),
            (key: "optimizer_steps", value: String(trainer.optimizer.stepCount)),
            (key: "sequences_seen", value: String(trainer.sequencesSeen)),
        ]
    }
    let metadata: [(key: String, value: String)] = [
        (key: "format", value: CheckpointFormat.name),
        (key: "format_version", value: String(CheckpointFormat.version)),
        (key: "dtype", value: dtypeName(dtype)),
        (key: "config", value: network.config.jsonText),
        (key: "checksum", value: hex8(checkpointChecksum(tensors))),
    ] + trainerMetadata
    return SafeTensorsArchive(tensors: tensors, metadata: metadata).encoded()
}

/// Refuses to save what could not be loaded back: every parameter must be
/// finite and within ±`parameterMagnitudeLimit` and, with `trainer`, every
/// optimiser state value finite (a caller can write anything through the
/// parameter buffer). Saving checks this first,
/// so a diverged model never replaces a good file.
public func checkSavable<T: NTMScalar>(_ network: Network<T>, trainer: Trainer<T>? = nil) throws(CheckpointError) {
    for tensor in network.layout.tensors {
        let values = UnsafeBufferPointer(rebasing: network.parameters[tensor.range])
        guard let i = firstIndexBeyond(values, limit: T(parameterMagnitudeLimit)) else { continue }
        let what = values[i].isFinite ? "a value beyond ±1e6 (\(values[i]))" : "a non-finite value (\(values[i]))"
        throw CheckpointError(.nonFinite, "cannot save: tensor \"\(tensor.name)\" holds \(what) at element \(i), "
                              + "which loading would refuse; nothing was written")
    }
    for state in trainer?.optimizer.stateBuffers ?? [] {
        guard let i = firstNonFiniteIndex(state.buffer) else { continue }
        throw CheckpointError(.nonFinite, "cannot save: optimiser state \"\(state.name)\" holds a non-finite value "
                              + "(\(state.buffer[i])) at element \(i); nothing was written")
    }
}

/// Writes `encodeModel(network, trainer:)` to `path` atomically: the file
/// afterwards holds either its old content or the whole checkpoint. A model
/// or trainer with a non-finite value is refused (`checkSavable`).
public func saveModel<T: NTMScalar>(_ network: Network<T>, trainer: Trainer<T>? = nil,
                                    to path: String) throws(CheckpointError) {
    try saveModel(network, trainer: trainer, to: FilePath(path))
}

/// `saveModel(_:trainer:to:)` to a path given as bytes (see `FilePath`).
public func saveModel<T: NTMScalar>(_ network: Network<T>, trainer: Trainer<T>? = nil,
                                    to path: FilePath) throws(CheckpointError) {
    try checkSavable(network, trainer: trainer)
    do {
        try writeFileAtomically(at: path, bytes: encodeModel(network, trainer: trainer))
    } catch {
        throw CheckpointError(.io, error.description)
    }
}

// MARK: - Decoding

/// Reads a checkpoint: a new network (an existing one is never touched) and,
/// if the file holds it, the trainer state (restore it with
/// `TrainerState.makeTrainer` or `restore(into:)`).
///
/// `T` need not match the file's dtype: an F32 file loaded as `Double` is
/// widened exactly; an F64 file loaded as `Float` is rounded to nearest
/// (values beyond `Float`'s range are rejected as non-finite). Resuming
/// training is bit-identical only when `T` matches the file.
///
/// Never traps on bad input. Checked, in order: safetensors structure;
/// "format" is "ntm" and "format_version" is 1; "config" is a valid config;
/// "dtype"; the optimiser config if present; every tensor the config implies
/// is present with the right shape and dtype, and there is no other; the
/// checksum; every value is finite and every parameter within ±1e6
/// (`parameterMagnitudeLimit`); the trainer counters; the generator state
/// is not all zero.
public func decodeModel<T: NTMScalar>(_ bytes: [UInt8], as _: T.Type = T.self) throws(CheckpointError)
    -> (network: Network<T>, trainerState: TrainerState<T>?) {
    func invalid(_ message: String) -> CheckpointError { CheckpointError(.invalid, message) }

    let archive: SafeTensorsArchive
    do {
        archive = try SafeTensorsArchive.decode(bytes)
    } catch {
        throw CheckpointError(.notCheckpoint, "not a valid safetensors file (truncated or damaged?): \(error)")
    }

    // Whose file is it?
    guard let format = archive.metadataValue(forKey: "format") else {
        throw CheckpointError(.notCheckpoint, "not an ntm checkpoint: the safetensors file has no \"format\" "
                              + "metadata (written by another program?)")
    }
    guard format == CheckpointFormat.name else {
        throw CheckpointError(.notCheckpoint, "not an ntm checkpoint: metadata \"format\" is \"\(format)\", "
                              + "not \"\(CheckpointFormat.name)\"")
    }
    guard let version = archive.metadataValue(forKey: "format_version") else {
        throw CheckpointError(.notCheckpoint, "checkpoint metadata \"format_version\" is missing")
    }
    guard version == String(CheckpointFormat.version) else {
        throw CheckpointError(.notCheckpoint, "unsupported checkpoint format_version \"\(version)\"; this "
                              + "library reads version \(CheckpointFormat.version)")
    }

    // The configs, which say what the tensors must be.
    func metadata(_ key: String) throws(CheckpointError) -> String {
        guard let value = archive.metadataValue(forKey: key) else {
            throw invalid("checkpoint metadata \"\(key)\" is missing")
        }
        return value
    }
    let configText = try metadata("config")
    let config: ModelConfig
    do {
        config = try ModelConfig(jsonText: configText)
    } catch {
        throw invalid("invalid model config in checkpoint: \(error.message)")
    }
    let dtypeText = try metadata("dtype")
    guard let dtype = [SafeTensorDType.f32, .f64].first(where: { dtypeName($0) == dtypeText }) else {
        throw invalid("checkpoint metadata \"dtype\" is \"\(dtypeText)\"; expected \"float32\" or \"float64\"")
    }
    var optimizer: OptimizerConfig? = nil
    if let text = archive.metadataValue(forKey: "optimizer") {
        do {
            optimizer = try OptimizerConfig(jsonText: text)
        } catch {
            throw invalid("invalid optimizer config in checkpoint: \(error.message)")
        }
    }

    // The tensors the configs imply, in checksum order.
    let layout = ParameterLayout(config)
    var expected: [(name: String, shape: [Int], dtype: SafeTensorDType)] =
        layout.tensors.map { ($0.name, $0.shape, dtype) }
    var bufferNames: [String] = []
    if let optimizer {
        let optimizerObject: any Optimizer<T> = makeOptimizer(optimizer, count: 0)
        bufferNames = optimizerObject.stateBuffers.map(\.name)
        for name in bufferNames {
            expected.append((CheckpointFormat.optimizerPrefix + name, [layout.count], dtype))
        }
        expected.append((CheckpointFormat.rngTensorName, [4], .u64))
    }
    let expectedNames = Set(expected.map(\.name))
    let unexpected = archive.tensors.map(\.name).filter { !expectedNames.contains($0) }
    var ordered: [SafeTensor] = []
    for entry in expected {
        guard let tensor = archive[entry.name] else {
            let instead = unexpected.isEmpty ? ""
                : " (the file has unexpected tensors instead: \(unexpected.map { "\"\($0)\"" }.joined(separator: ", ")))"
            throw invalid("checkpoint is missing tensor \"\(entry.name)\", which its config requires\(instead)")
        }
        guard tensor.dtype == entry.dtype else {
            throw invalid("tensor \"\(entry.name)\" has dtype \(tensor.dtype.rawValue); expected "
                          + "\(entry.dtype.rawValue)")
        }
        guard tensor.shape == entry.shape else {
            throw invalid("tensor \"\(entry.name)\" has shape \(tensor.shape) but the config requires "
                          + "\(entry.shape)")
        }
        ordered.append(tensor)
    }
    if let name = unexpected.first {
        if optimizer == nil && (name.hasPrefix(CheckpointFormat.optimizerPrefix)
                                || name == CheckpointFormat.rngTensorName) {
            throw invalid("tensor \"\(name)\" is trainer state, but metadata \"optimizer\" is missing")
        }
        throw invalid("checkpoint has an unexpected tensor \"\(name)\" that its config does not define")
    }

    // Integrity, before any value is interpreted.
    let stored = try metadata("checksum")
    let isHexDigit = { (c: Character) in c.isHexDigit && c.isASCII }
    guard stored.count == 8, stored.allSatisfy(isHexDigit), let storedValue = UInt32(stored, radix: 16) else {
        throw invalid("checkpoint metadata \"checksum\" is \"\(stored)\"; expected 8 hexadecimal digits")
    }
    let actual = checkpointChecksum(ordered)
    guard storedValue == actual else {
        throw CheckpointError(.corrupted, "file is corrupted: checksum of the tensor data is \(hex8(actual)) "
                              + "but the file records \(stored)")
    }

    // Values, converted to T and checked finite (in the file's type and,
    // after narrowing, in T).
    func values(_ tensor: SafeTensor) throws(CheckpointError) -> [T] {
        // Through Double: exact for F32 and F64 alike, so an F32 file read
        // as Float gives back the very same bits.
        let stored: [Double]? = tensor.dtype == .f32
            ? (try? tensor.floats()).map { $0.map(Double.init) }
            : try? tensor.doubles()
        guard let stored else {
            throw invalid("tensor \"\(tensor.name)\" cannot be read as \(tensor.dtype.rawValue)")
        }
        if let i = stored.firstIndex(where: { !$0.isFinite }) {
            throw invalid("tensor \"\(tensor.name)\" holds a non-finite value (\(stored[i])) at element \(i)")
        }
        let converted = stored.map { T($0) }
        if let i = converted.firstIndex(where: { !$0.isFinite }) {
            throw invalid("tensor \"\(tensor.name)\" holds a value at element \(i) (\(stored[i])) that is "
                          + "too large for \(T.name)")
        }
        return converted
    }
    var parameters: [T] = []
    parameters.reserveCapacity(layout.count)
    for tensor in ordered.prefix(layout.tensors.count) {
        let loaded = try values(tensor)
        if let i = loaded.withUnsafeBufferPointer({ firstIndexBeyond($0, limit: T(parameterMagnitudeLimit)) }) {
            throw invalid("tensor \"\(tensor.name)\" holds a value at element \(i) (\(loaded[i])) beyond ±1e6, the "
                          + "range of parameters this library trains, saves and loads")
        }
        parameters.append(contentsOf: loaded)
    }

    var trainerState: TrainerState<T>? = nil
    if let optimizer {
        func counter(_ key: String) throws(CheckpointError) -> Int {
            let text = try metadata(key)
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let value = Int(text) else {
                throw invalid("checkpoint metadata \"\(key)\" is \"\(text)\"; expected a non-negative integer")
            }
            guard value <= CheckpointFormat.counterLimit else {
                throw invalid("checkpoint metadata \"\(key)\" is \(text), above the limit of "
                              + "\(CheckpointFormat.counterLimit)")
            }
            return value
        }
        let steps = try counter("optimizer_steps")
        let seen = try counter("sequences_seen")
        var buffers: [TrainerState<T>.Buffer] = []
        for (name, tensor) in zip(bufferNames, ordered.dropFirst(layout.tensors.count)) {
            buffers.append(.init(name: name, values: try values(tensor)))
        }
        guard let rng = try? ordered[ordered.count - 1].uint64s(), rng.contains(where: { $0 != 0 }) else {
            throw invalid("tensor \"\(CheckpointFormat.rngTensorName)\" is all zero, which is not a valid "
                          + "generator state")
        }
        trainerState = TrainerState(optimizer: optimizer, stepCount: steps, sequencesSeen: seen,
                                    rngState: rng, buffers: buffers)
    }
    return (Network(config: config, parameters: parameters), trainerState)
}

/// Reads and decodes the checkpoint at `path`; see `decodeModel`.
public func loadModel<T: NTMScalar>(from path: String, as type: T.Type = T.self) throws(CheckpointError)
    -> (network: Network<T>, trainerState: TrainerState<T>?) {
    try loadModel(from: FilePath(path), as: type)
}

/// `loadModel(from:as:)` from a path given as bytes (see `FilePath`).
public func loadModel<T: NTMScalar>(from path: FilePath, as type: T.Type = T.self) throws(CheckpointError)
    -> (network: Network<T>, trainerState: TrainerState<T>?) {
    let bytes: [UInt8]
    do {
        bytes = try readFileBytes(at: path)
    } catch {
        throw CheckpointError(.io, error.description)
    }
    return try decodeModel(bytes, as: type)
}
