/// The value of every option of one task, each already checked to be an
/// integer within its range: what a descriptor builds its generator from.
public struct TaskOptionValues: Sendable {
    /// The task's name, for error messages.
    public let task: String
    private let values: [String: Int]

    init(task: String, values: [String: Int]) {
        self.task = task
        self.values = values
    }

    /// The value of `key`, which must be one of the task's options: the
    /// values hold every option, given or default.
    public subscript(key: String) -> Int {
        guard let value = values[key] else {
            preconditionFailure("task '\(task)' has no option '\(key)'")
        }
        return value
    }

    /// Throws unless `low` ≤ `high`: a pair of ranges (min/max) that each
    /// option's own range cannot check.
    public func requireOrdered(_ low: String, _ high: String) throws(TaskError) {
        if self[low] > self[high] {
            throw TaskError("task '\(task)': option '\(low)' (\(self[low])) must not exceed '\(high)' (\(self[high]))")
        }
    }
}
