/// The library's built-in tasks: the paper's five experiments. The raw
/// value is the task's name everywhere (C API, CLI, checkpoints).
///
/// The switch in `descriptor` is exhaustive on purpose: a new case does not
/// compile until it has a descriptor, and the CLI's own exhaustive table
/// (`TaskPresentation`) points at what the command line needs.
public enum TaskKind: String, CaseIterable, Sendable {
    case copy
    case repeatCopy = "repeat-copy"
    case associativeRecall = "associative-recall"
    case dynamicNGrams = "dynamic-ngrams"
    case prioritySort = "priority-sort"

    public var descriptor: TaskDescriptor {
        switch self {
        case .copy: return .copy
        case .repeatCopy: return .repeatCopy
        case .associativeRecall: return .associativeRecall
        case .dynamicNGrams: return .dynamicNGrams
        case .prioritySort: return .prioritySort
        }
    }
}

/// A task reads as its name in messages and file names ("repeat-copy", not
/// the case name).
extension TaskKind: CustomStringConvertible {
    public var description: String { rawValue }
}
