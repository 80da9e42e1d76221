/// The size of one test sequence, counted the way each task counts it:
///
/// | task | `count` | `second` |
/// | --- | --- | --- |
/// | copy | vectors to copy `L` | — |
/// | repeat copy | vectors `L` | repeats `R` (default: the most trained on) |
/// | associative recall | items | — |
/// | dynamic N-grams | bits per sequence | — |
/// | priority sort | input vectors | output vectors (default: the trained proportion) |
///
/// Written `"20"` or `"10x20"`.
public struct TestSize: Hashable, Sendable, CustomStringConvertible {
    public var count: Int
    public var second: Int?

    public init(_ count: Int, _ second: Int? = nil) {
        self.count = count
        self.second = second
    }

    /// Parses `"N"` or `"NxM"` (positive integers; `×` is accepted for `x`).
    public init?(parsing text: String) {
        let parts = String(text.map { $0 == "×" || $0 == "X" ? "x" : $0 })
            .split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              let first = Int(parts[0]), first >= 1 else { return nil }
        var second: Int? = nil
        if parts.count == 2 {
            guard let s = Int(parts[1]), s >= 1 else { return nil }
            second = s
        }
        self.init(first, second)
    }

    public var description: String { second.map { "\(count)x\($0)" } ?? "\(count)" }

    /// Throws unless the size is a single number; `what` says what the
    /// task counts, for the message.
    public func requireSingle(_ what: String) throws(TaskError) {
        if second != nil { throw TaskError("size '\(self)': \(what) takes a single number, not N×M") }
    }
}
