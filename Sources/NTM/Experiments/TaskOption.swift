/// One integer option of a task: its name (the initialiser's parameter in
/// snake case), the value used when it is not given, and the values allowed.
public struct TaskOption: Sendable, Equatable {
    public let key: String
    public let defaultValue: Int
    public let range: ClosedRange<Int>

    public init(_ key: String, default defaultValue: Int, range: ClosedRange<Int> = 1...TaskLimits.maxSize) {
        self.key = key
        self.defaultValue = defaultValue
        self.range = range
    }
}
