/// The tasks by name, for the callers that only have strings: the C API
/// and the CLI. Options are the initialisers' parameters in snake case; a
/// missing option takes its default. What each task is lives in its
/// `TaskDescriptor`; this only looks it up.
public enum TaskCatalog {
    public static let names = TaskDescriptor.all.map(\.name)

    /// The option names `name` accepts, in the initialiser's order.
    public static func optionNames(name: String) throws(TaskError) -> [String] {
        try TaskDescriptor.named(name).options.map(\.key)
    }

    /// The options `make(name:options:)` uses when none are given.
    public static func defaultOptions(name: String) throws(TaskError) -> [String: Double] {
        try TaskDescriptor.named(name).defaultOptions
    }

    /// The task called `name`, configured by `options`.
    public static func make(name: String, options given: [String: Double] = [:]) throws(TaskError)
        -> any SizedTask {
        try TaskDescriptor.named(name).make(options: given)
    }
}
