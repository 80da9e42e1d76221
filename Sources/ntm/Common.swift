import ArgumentParser
import Foundation
import NTM

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure the user can act on: printed as one line on stderr,
/// `ntm: <message>`, with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

// MARK: - Names on the command line

extension TaskKind: ExpressibleByArgument {}

enum NetworkName: String, CaseIterable, ExpressibleByArgument {
    case ntmFeedforward = "ntm-feedforward"
    case ntmLSTM = "ntm-lstm"
    case lstm
}

extension OptimizerConfig.Kind: ExpressibleByArgument {}
extension ModelConfig.InitialWeighting: ExpressibleByArgument {}
extension ModelConfig.InitialMemory: ExpressibleByArgument {}

/// A size list such as `10,20,50` or `10x20,20x10` (several options or
/// comma-separated values).
struct TestSizeList: ExpressibleByArgument {
    var sizes: [TestSize]
    init?(argument: String) {
        var sizes: [TestSize] = []
        for part in argument.split(separator: ",") {
            guard let size = TestSize(parsing: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            sizes.append(size)
        }
        guard !sizes.isEmpty else { return nil }
        self.sizes = sizes
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

extension TestSize: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

// MARK: - Model files

/// Metadata keys the tool adds to a checkpoint so that `eval` and `show`
/// know what the network was trained on. The library ignores unknown
/// metadata keys, and the checksum covers only the tensors.
enum ModelMetadata {
    static let task = "ntm.task"
    static let taskOptions = "ntm.task_options"
    static let network = "ntm.network"
    /// Sequences seen when `ntm train` began to polish at a lower rate.
    static let polishFrom = "ntm.polish_from"
}

/// A checkpoint as the tool uses it: the network, the trainer state if the
/// file has one, and the task it was trained on.
struct ModelFile {
    var network: Network<Float>
    var trainerState: TrainerState<Float>?
    var taskKind: TaskKind
    var taskOptions: [String: Double]
    var networkName: String?
    /// When `ntm train` began to polish, if it has.
    var polishFrom: Int? = nil
    /// False if the file did not say and the task was inferred or given.
    var taskRecorded: Bool

    /// Loads `path`, turning every failure into a one-line `CLIError`.
    /// `taskOverride` is used when the file does not record its task (a
    /// checkpoint written by the library directly); without it, the task
    /// is inferred from the network's input and output widths.
    static func load(_ path: String, taskOverride: String? = nil) throws -> ModelFile {
        let bytes: [UInt8]
        do {
            bytes = try readFileBytes(atPath: path)
        } catch {
            throw CLIError("cannot read model '\(path)': \(error.reason)")
        }
        let decoded: (network: Network<Float>, trainerState: TrainerState<Float>?)
        do {
            decoded = try decodeModel(bytes, as: Float.self)
        } catch {
            throw CLIError("cannot load model '\(path)': \(error.message)")
        }
        // decodeModel has parsed the archive already, so this cannot fail.
        let archive = try? SafeTensorsArchive.decode(bytes)
        let recordedTask = archive?.metadataValue(forKey: ModelMetadata.task)
        var options: [String: Double] = [:]
        if let text = archive?.metadataValue(forKey: ModelMetadata.taskOptions) {
            guard case .object(let pairs)? = try? JSONValue.parse(text) else {
                throw CLIError("cannot load model '\(path)': metadata \"\(ModelMetadata.taskOptions)\" is not a JSON object")
            }
            for (key, value) in pairs {
                guard case .number(let x) = value else {
                    throw CLIError("cannot load model '\(path)': task option '\(key)' is not a number")
                }
                options[key] = x
            }
        }
        let config = decoded.network.config
        var taskName: String
        if let taskOverride {
            taskName = taskOverride
            if taskOverride != recordedTask { options = [:] }
        } else if let recordedTask {
            taskName = recordedTask
        } else {
            let matches = TaskDescriptor.names.filter { name in
                guard let t = try? TaskDescriptor.named(name).make() else { return false }
                return t.inputSize == config.inputSize && t.outputSize == config.outputSize
            }
            guard matches.count == 1 else {
                throw CLIError("model '\(path)' does not say which task it was trained on; pass --task")
            }
            taskName = matches[0]
        }
        guard let taskKind = TaskKind(rawValue: taskName) else {
            throw CLIError("model '\(path)' was trained on unknown task '\(taskName)'; known tasks: "
                           + TaskDescriptor.names.joined(separator: ", "))
        }
        let file = ModelFile(network: decoded.network, trainerState: decoded.trainerState,
                             taskKind: taskKind, taskOptions: options,
                             networkName: archive?.metadataValue(forKey: ModelMetadata.network),
                             polishFrom: archive?.metadataValue(forKey: ModelMetadata.polishFrom)
                                .flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil },
                             taskRecorded: recordedTask != nil && taskOverride == nil)
        let task = try file.makeTask()
        guard task.inputSize == config.inputSize && task.outputSize == config.outputSize else {
            throw CLIError("model '\(path)' has \(config.inputSize) inputs and \(config.outputSize) outputs, but task "
                           + "'\(taskName)' has \(task.inputSize) and \(task.outputSize)")
        }
        return file
    }

    func makeTask() throws -> any SizedTask {
        do {
            return try taskKind.descriptor.make(options: taskOptions)
        } catch {
            throw CLIError(error.message)
        }
    }

    /// "ntm-feedforward", "ntm-lstm" or "lstm" when recognisable from the config.
    var networkDescription: String {
        if let networkName { return networkName }
        let c = network.config
        if c.kind == .lstm { return "lstm" }
        return c.controller == .feedforward ? "ntm-feedforward" : "ntm-lstm"
    }
}

/// Writes a checkpoint with the tool's task metadata, atomically.
func saveModelFile(_ network: Network<Float>, trainer: Trainer<Float>?, to path: String,
                   task: String, taskOptions: [String: Double], networkName: String,
                   polishFrom: Int? = nil) throws {
    var archive: SafeTensorsArchive
    do { try checkSavable(network, trainer: trainer) } catch { throw CLIError(error.description) }
    do {
        archive = try SafeTensorsArchive.decode(encodeModel(network, trainer: trainer))
    } catch {
        throw CLIError("cannot encode the model: \(error)")
    }
    let options = JSONValue.object(taskOptions.keys.sorted().map { ($0, JSONValue.number(taskOptions[$0]!)) })
    archive.metadata += [(key: ModelMetadata.task, value: task),
                         (key: ModelMetadata.taskOptions, value: options.serialized()),
                         (key: ModelMetadata.network, value: networkName)]
    if let polishFrom { archive.metadata.append((key: ModelMetadata.polishFrom, value: String(polishFrom))) }
    do {
        try writeFileAtomically(atPath: path, bytes: archive.encoded())
    } catch {
        throw CLIError("cannot write model '\(path)': \(error.reason)")
    }
}

/// Writes text to `path` atomically, as a one-line error on failure.
func writeText(_ text: String, to path: String) throws {
    do {
        try writeFileAtomically(atPath: path, bytes: Array(text.utf8))
    } catch {
        throw CLIError("cannot write '\(path)': \(error.reason)")
    }
}

/// Parses `KEY=VALUE` task options.
func parseTaskOptions(_ items: [String]) throws -> [String: Double] {
    var options: [String: Double] = [:]
    for item in items {
        let parts = item.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let value = Double(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("--task-option expects KEY=NUMBER, e.g. max_length=10 (got '\(item)')")
        }
        options[parts[0].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "_")] = value
    }
    return options
}

// MARK: - Output

/// Prints to stdout and flushes, so that piped output appears as it happens.
func say(_ text: String = "") {
    print(text)
    fflush(stdout)
}

func warn(_ text: String) {
    FileHandle.standardError.write(Data(("ntm: " + text + "\n").utf8))
}

var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// 12,345 style.
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// h:mm:ss.
func clockTime(_ seconds: Double) -> String {
    let s = max(0, Int(seconds.isFinite ? seconds : 0))
    return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
}

/// Fixed decimals, "nan" for NaN.
func fixed(_ x: Double, _ decimals: Int) -> String {
    x.isFinite ? String(format: "%.\(decimals)f", x) : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf"))
}

/// Left-pads.
func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

/// Right-pads.
func padRight(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

/// An aligned text table: the first row is the header; numeric-looking
/// columns are right-aligned.
func table(_ rows: [[String]], rightAligned: Set<Int>) -> String {
    guard let header = rows.first else { return "" }
    var widths = [Int](repeating: 0, count: header.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
        row.enumerated().map { i, cell in
            rightAligned.contains(i) ? pad(cell, widths[i]) : padRight(cell, widths[i])
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }.joined(separator: "\n")
}

/// Number of processors available to this process.
var availableCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
