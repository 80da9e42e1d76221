/// Why a task could not be created from a name and options: an unknown
/// task, an unknown option, or a value that is not allowed. The message
/// names the task and the option and says what is allowed, because it is
/// shown as is to users of the CLI and the C API.
public struct TaskError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
