/// Everything the library knows about one of its tasks, in one row: its
/// name, its options, how to build its generator from them, when a run on it
/// has converged, the sizes its generalisation is tested at, and the
/// paper's networks for it. Adding a task means adding a `TaskKind` case
/// and its descriptor (`PaperTasks.swift`); the presets, the C API and the
/// CLI (which create tasks by name through `named(_:)` and `make(options:)`)
/// and the defaults of `ntm train` and `ntm eval` all read from here.
public struct TaskDescriptor: Sendable {
    public let kind: TaskKind
    /// The options in the initialiser's order.
    public let options: [TaskOption]
    /// The default convergence criterion of a training run.
    public let convergence: ConvergenceCriterion
    /// The paper's generalisation tests (§4): the sizes `ntm eval` tests at
    /// unless told otherwise.
    public let testSizes: [TestSize]
    /// The paper's networks for the task (its tables 1–3), from which the
    /// presets are made.
    public let paperNetworks: PaperNetworks
    /// Builds the generator from checked option values; throws only for
    /// what the options' ranges cannot check on their own.
    private let build: @Sendable (TaskOptionValues) throws(TaskError) -> any SizedTask

    public init(kind: TaskKind, options: [TaskOption], convergence: ConvergenceCriterion,
                testSizes: [TestSize], paperNetworks: PaperNetworks,
                build: @escaping @Sendable (TaskOptionValues) throws(TaskError) -> any SizedTask) {
        self.kind = kind
        self.options = options
        self.convergence = convergence
        self.testSizes = testSizes
        self.paperNetworks = paperNetworks
        self.build = build
    }

    /// The name the C API, the CLI and checkpoints use, e.g. `"repeat-copy"`.
    public var name: String { kind.rawValue }

    /// Every built-in task, in `TaskKind` order.
    public static let all: [TaskDescriptor] = TaskKind.allCases.map(\.descriptor)

    /// Their names, for the callers that only have strings (the C API, the CLI).
    public static let names = all.map(\.name)

    /// The task called `name`.
    public static func named(_ name: String) throws(TaskError) -> TaskDescriptor {
        guard let kind = TaskKind(rawValue: name) else {
            throw TaskError("unknown task '\(name)'; known tasks: \(all.map(\.name).joined(separator: ", "))")
        }
        return kind.descriptor
    }

    /// The options used when none are given.
    public var defaultOptions: [String: Double] {
        var result = [String: Double]()
        for option in options { result[option.key] = Double(option.defaultValue) }
        return result
    }

    /// The task configured by `given`, options named as the initialiser's
    /// parameters in snake case (missing options take their defaults).
    /// Every value is checked here, so the initialisers' preconditions
    /// cannot be reached: bad input throws a `TaskError`, it never traps.
    public func make(options given: [String: Double] = [:]) throws(TaskError) -> any SizedTask {
        let values = try resolve(given)
        let task = try build(values)
        // Every option is at most `TaskLimits.maxSize`, so this product cannot overflow.
        let count = task.maxSequenceLength * (task.inputSize + task.outputSize)
        if count > TaskLimits.maxSequenceValues {
            let described = options.map { "\($0.key)=\(values[$0.key])" }.joined(separator: ", ")
            throw TaskError("task '\(name)': with options \(described) the longest "
                            + "sequence would hold \(count) values (steps × channels), more than the "
                            + "limit of \(TaskLimits.maxSequenceValues); use smaller sizes")
        }
        return task
    }

    /// The integer value of every option: given or default, checked to be a
    /// known key, an integer and within its range.
    private func resolve(_ given: [String: Double]) throws(TaskError) -> TaskOptionValues {
        let keys = options.map(\.key)
        for key in given.keys.sorted() where !keys.contains(key) {
            throw TaskError("task '\(name)': unknown option '\(key)'; allowed options: "
                            + keys.joined(separator: ", "))
        }
        var result = [String: Int]()
        for option in options {
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
        return TaskOptionValues(task: name, values: result)
    }
}
