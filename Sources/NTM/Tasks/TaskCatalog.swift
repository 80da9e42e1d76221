/// Why a task could not be created from a name and options: an unknown
/// task, an unknown option, or a value that is not allowed. The message
/// names the task and the option and says what is allowed, because it is
/// shown as is to users of the CLI and the C API.
public struct TaskError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The experiments by name, so that the C API and the CLI can create them
/// from strings and numbers. Options are the initialisers' parameters in
/// snake case; a missing option takes its default. Every value is checked
/// here, so the initialisers' preconditions cannot be reached through
/// `make`: bad input throws a `TaskError`, it never traps.
public enum TaskCatalog {
    public static let names = ["copy", "repeat-copy", "associative-recall", "dynamic-ngrams", "priority-sort"]

    /// Upper bound on every size option: far beyond any experiment, low
    /// enough that products of sizes cannot overflow.
    public static let maxSize = 100_000

    /// Upper bound on the number of values (steps × (input + output channels))
    /// of the longest sequence a task may produce, so that sampling cannot
    /// exhaust memory.
    public static let maxSequenceValues = 1 << 26

    /// One integer option: its name, default and allowed range.
    private struct Option {
        let key: String
        let defaultValue: Int
        let range: ClosedRange<Int>
    }

    private static func options(of name: String) throws(TaskError) -> [Option] {
        let size = 1...maxSize
        switch name {
        case "copy":
            return [Option(key: "width", defaultValue: 8, range: size),
                    Option(key: "min_length", defaultValue: 1, range: size),
                    Option(key: "max_length", defaultValue: 20, range: size)]
        case "repeat-copy":
            return [Option(key: "width", defaultValue: 8, range: size),
                    Option(key: "min_length", defaultValue: 1, range: size),
                    Option(key: "max_length", defaultValue: 10, range: size),
                    Option(key: "min_repeats", defaultValue: 1, range: size),
                    Option(key: "max_repeats", defaultValue: 10, range: size)]
        case "associative-recall":
            return [Option(key: "width", defaultValue: 6, range: size),
                    Option(key: "item_length", defaultValue: 3, range: size),
                    Option(key: "min_items", defaultValue: 2, range: 2...maxSize),
                    Option(key: "max_items", defaultValue: 6, range: 2...maxSize)]
        case "dynamic-ngrams":
            return [Option(key: "order", defaultValue: 6, range: 2...16),
                    Option(key: "length", defaultValue: 200, range: size)]
        case "priority-sort":
            return [Option(key: "width", defaultValue: 8, range: size),
                    Option(key: "input_count", defaultValue: 20, range: size),
                    Option(key: "output_count", defaultValue: 16, range: size)]
        default:
            throw TaskError("unknown task '\(name)'; known tasks: \(names.joined(separator: ", "))")
        }
    }

    /// The option names `name` accepts, in the initialiser's order.
    public static func optionNames(name: String) throws(TaskError) -> [String] {
        try options(of: name).map(\.key)
    }

    /// The options `make(name:options:)` uses when none are given.
    public static func defaultOptions(name: String) throws(TaskError) -> [String: Double] {
        var result = [String: Double]()
        for option in try options(of: name) { result[option.key] = Double(option.defaultValue) }
        return result
    }

    /// The task called `name`, configured by `options`.
    public static func make(name: String, options given: [String: Double] = [:]) throws(TaskError)
        -> any SequenceTask {
        let allowed = try options(of: name)
        let value = try resolve(task: name, allowed: allowed, given: given)

        func ordered(_ low: String, _ high: String) throws(TaskError) {
            if value[low]! > value[high]! {
                throw TaskError("task '\(name)': option '\(low)' (\(value[low]!)) must not exceed "
                                + "'\(high)' (\(value[high]!))")
            }
        }

        let task: any SequenceTask
        switch name {
        case "copy":
            try ordered("min_length", "max_length")
            task = CopyTask(width: value["width"]!, minLength: value["min_length"]!,
                            maxLength: value["max_length"]!)
        case "repeat-copy":
            try ordered("min_length", "max_length")
            try ordered("min_repeats", "max_repeats")
            task = RepeatCopyTask(width: value["width"]!, minLength: value["min_length"]!,
                                  maxLength: value["max_length"]!, minRepeats: value["min_repeats"]!,
                                  maxRepeats: value["max_repeats"]!)
        case "associative-recall":
            try ordered("min_items", "max_items")
            task = AssociativeRecallTask(width: value["width"]!, itemLength: value["item_length"]!,
                                         minItems: value["min_items"]!, maxItems: value["max_items"]!)
        case "dynamic-ngrams":
            task = DynamicNGramTask(order: value["order"]!, length: value["length"]!)
        case "priority-sort":
            try ordered("output_count", "input_count")
            task = PrioritySortTask(width: value["width"]!, inputCount: value["input_count"]!,
                                    outputCount: value["output_count"]!)
        default:
            throw TaskError("unknown task '\(name)'; known tasks: \(names.joined(separator: ", "))")
        }

        // Every option is at most `maxSize`, so this product cannot overflow.
        let values = task.maxSequenceLength * (task.inputSize + task.outputSize)
        if values > maxSequenceValues {
            throw TaskError("task '\(name)': with options \(describe(value, allowed)) the longest "
                            + "sequence would hold \(values) values (steps × channels), more than the "
                            + "limit of \(maxSequenceValues); use smaller sizes")
        }
        return task
    }

    /// The integer value of every allowed option: given or default, checked
    /// to be a known key, an integer and within its range.
    private static func resolve(task name: String, allowed: [Option],
                                given: [String: Double]) throws(TaskError) -> [String: Int] {
        let keys = allowed.map(\.key)
        for key in given.keys.sorted() where !keys.contains(key) {
            throw TaskError("task '\(name)': unknown option '\(key)'; allowed options: "
                            + keys.joined(separator: ", "))
        }
        var result = [String: Int]()
        for option in allowed {
            guard let raw = given[option.key] else {
                result[option.key] = option.defaultValue
                continue
            }
            let range = option.range
            guard raw.isFinite, raw == raw.rounded(.towardZero) else {
                throw TaskError("task '\(name)': option '\(option.key)' must be an integer "
                                + "from \(range.lowerBound) to \(range.upperBound), got \(raw)")
            }
            guard raw >= Double(range.lowerBound), raw <= Double(range.upperBound) else {
                throw TaskError("task '\(name)': option '\(option.key)' must be from "
                                + "\(range.lowerBound) to \(range.upperBound), got \(Int64(exactly: raw).map(String.init) ?? "\(raw)")")
            }
            result[option.key] = Int(raw)
        }
        return result
    }

    private static func describe(_ value: [String: Int], _ allowed: [Option]) -> String {
        allowed.map { "\($0.key)=\(value[$0.key]!)" }.joined(separator: ", ")
    }
}
