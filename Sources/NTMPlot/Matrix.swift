// The data of one heat map.

/// A rows × columns grid of values, row-major, oriented *as drawn*: row 0
/// is the top row of the picture and columns run left to right. In a
/// sequence picture the columns are time steps and the rows are channels or
/// memory locations, which is the transpose of how a network produces them
/// (one vector per step); `init(steps:label:)` does that transposition so
/// callers never have to.
public struct Matrix: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    /// `values[row * columns + column]`.
    public var values: [Float]
    /// What the rows are, e.g. "Channel" or "Location"; pictures use it as
    /// the y-axis label. Empty means "use the picture's default".
    public var label: String

    public init(rows: Int, columns: Int, values: [Float], label: String = "") {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must not be negative")
        precondition(values.count == rows * columns,
                     "matrix \(rows)×\(columns) needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
        self.label = label
    }

    /// A matrix of zeros.
    public init(rows: Int, columns: Int, label: String = "") {
        self.init(rows: rows, columns: columns, values: Array(repeating: 0, count: rows * columns), label: label)
    }

    /// One column per time step from per-step vectors (all the same
    /// length): `steps[t][i]` becomes row `i`, column `t`.
    public init(steps: [[Float]], label: String = "") {
        let height = steps.first?.count ?? 0
        precondition(steps.allSatisfy { $0.count == height }, "every step must have the same number of values")
        var values = [Float](repeating: 0, count: height * steps.count)
        for (t, vector) in steps.enumerated() {
            for (i, v) in vector.enumerated() { values[i * steps.count + t] = v }
        }
        self.init(rows: height, columns: steps.count, values: values, label: label)
    }

    /// One column per time step from a flat step-major buffer (`steps`
    /// records of `width` values each, as a tape or task sequence stores
    /// them): element `i` of step `t` becomes row `i`, column `t`.
    public init(stepMajor values: [Float], steps: Int, width: Int, label: String = "") {
        precondition(values.count == steps * width, "need steps × width = \(steps * width) values, got \(values.count)")
        var transposed = [Float](repeating: 0, count: values.count)
        for t in 0..<steps {
            for i in 0..<width { transposed[i * steps + t] = values[t * width + i] }
        }
        self.init(rows: width, columns: steps, values: transposed, label: label)
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// True if there is nothing to draw.
    public var isEmpty: Bool { rows == 0 || columns == 0 }

    /// The smallest and largest finite values, or nil if there are none.
    public var finiteRange: ClosedRange<Double>? {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite {
            lo = min(lo, Double(v))
            hi = max(hi, Double(v))
        }
        return lo <= hi ? lo...hi : nil
    }

    /// True if any value is NaN (drawn in the colour scale's `missing`).
    public var containsNaN: Bool { values.contains { $0.isNaN } }
}
