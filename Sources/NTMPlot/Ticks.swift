// Axis ticks and the numbers written next to them.
//
// Ticks follow the 1-2-5 rule: steps are 1, 2 or 5 times a power of ten,
// so tick labels are round numbers a reader can interpolate between. The
// module uses only the standard library, which has no logarithm, so the
// small amount of math a log axis needs is here as well.

/// Tick positions and labels for linear, logarithmic and index axes.
public enum Ticks {
    /// Major ticks of a logarithmic axis, with unlabelled minor ticks; the
    /// axis runs from `10^lowerExponent` to `10^upperExponent`.
    public struct Logarithmic: Equatable, Sendable {
        public var major: [Double]
        public var minor: [Double]
        public var lowerExponent: Int
        public var upperExponent: Int
    }

    /// The smallest 1-2-5 step (1, 2 or 5 × 10^k) that divides `span` into
    /// at most `intervals` parts.
    public static func niceStep(span: Double, intervals: Int) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(intervals, 1))
        let base = power10(decadeFloor(raw))
        for multiple in [1.0, 2, 5, 10] where multiple * base >= raw * (1 - 1e-12) {
            return multiple * base
        }
        return 10 * base
    }

    /// Evenly spaced 1-2-5 ticks that cover `low...high`: the first tick is
    /// ≤ low and the last ≥ high, so the axis can run from first to last
    /// tick and every data value lies on it. About `intervals` intervals
    /// (at most one more, because covering rounds outwards). An empty range
    /// is widened around its value so that there is still an axis.
    public static func linear(from low: Double, to high: Double, intervals: Int = 5) -> [Double] {
        guard low.isFinite, high.isFinite else { return [0, 1] }
        var lo = min(low, high), hi = max(low, high)
        if hi - lo <= max(lo.magnitude, hi.magnitude) * 1e-12 {
            let pad = lo == 0 ? 1 : lo.magnitude * 0.1
            lo -= pad
            hi += pad
        }
        let step = niceStep(span: hi - lo, intervals: intervals)
        // A tolerance keeps 1.0000000001 from adding a whole extra interval.
        let first = Int((lo / step + 1e-9).rounded(.down))
        let last = Int((hi / step - 1e-9).rounded(.up))
        // Dividing by an integer reciprocal gives 0.3 rather than 0.30000000000000004.
        let inverse = (1 / step).rounded()
        return (first...max(first + 1, last)).map { i in
            step < 1 && inverse > 0 ? Double(i) / inverse : Double(i) * step
        }
    }

    /// Ticks of a logarithmic axis covering `low...high` (both > 0): whole
    /// decades, thinned to every 2nd, 5th… decade when there are more than
    /// `maxMajor`; when the data span at most two decades, the 2× and 5×
    /// ticks are labelled too, so a short axis still has several labels.
    public static func logarithmic(from low: Double, to high: Double, maxMajor: Int = 7) -> Logarithmic {
        var lo = min(low, high), hi = max(low, high)
        if !(lo > 0 && lo.isFinite) { lo = 1 }
        if !(hi > 0 && hi.isFinite) { hi = lo * 10 }
        var lower = decadeFloor(lo)
        var upper = decadeCeil(hi)
        if upper == lower { lower -= 1; upper += 1 }
        let decades = upper - lower
        let limit = max(maxMajor - 1, 1)
        let every = decades <= limit ? 1 : Int(niceStep(span: Double(decades), intervals: limit))
        upper = lower + ((decades + every - 1) / every) * every

        var major: [Double] = []
        var minor: [Double] = []
        for k in lower...upper {
            let decade = power10(k)
            if (k - lower) % every == 0 { major.append(decade) }
            guard every == 1, k < upper else { continue }
            for m in 2...9 {
                let v = Double(m) * decade
                if decades <= 2 && (m == 2 || m == 5) { major.append(v) } else { minor.append(v) }
            }
        }
        return Logarithmic(major: major.sorted(), minor: minor, lowerExponent: lower, upperExponent: upper)
    }

    /// The step between labelled indices (0, step, 2·step, …) on an axis of
    /// `count` cells each `cellSize` wide, so that labels are at least
    /// `minSpacing` apart: the smallest of 1, 2, 5, 10, 20, 50, … that fits.
    public static func indexStep(count: Int, cellSize: Double, minSpacing: Double) -> Int {
        guard cellSize > 0, count > 1 else { return 1 }
        var base = 1
        while true {
            for multiple in [1, 2, 5] {
                let step = multiple * base
                if Double(step) * cellSize >= minSpacing || step >= count { return step }
            }
            base *= 10
        }
    }

    // MARK: Labels

    /// Labels for evenly spaced ticks `step` apart, all written with the
    /// same number of decimals. Large values (≥ 10 000) use k/M/G suffixes
    /// ("20k" reads faster than "20000"); tiny ones use exponents.
    public static func labels(for ticks: [Double], step: Double) -> [String] {
        let largest = ticks.map(\.magnitude).max() ?? 0
        guard step > 0, step.isFinite else { return ticks.map { format($0) } }
        if largest >= 1e4 && step >= 1 {
            let (divisor, suffix) = largest >= 1e9 ? (1e9, "G") : largest >= 1e6 ? (1e6, "M") : (1e3, "k")
            let decimals = decimalsNeeded(step / divisor)
            return ticks.map { t in
                t.magnitude < step * 1e-6 ? "0" : SVGDocument.fixed(t / divisor, decimals: decimals) + suffix
            }
        }
        if step < 1e-4 {
            return ticks.map { t in t.magnitude < step * 1e-6 ? "0" : format(t) }
        }
        let decimals = decimalsNeeded(step)
        return ticks.map { t in t.magnitude < step * 1e-6 ? "0" : SVGDocument.fixed(t, decimals: decimals) }
    }

    /// A single number with about `significantDigits` significant digits:
    /// positional notation from 0.0001 up to a million, exponent notation
    /// ("1.5e-7") outside, trailing zeros dropped. Non-finite values are
    /// spelled out.
    public static func format(_ value: Double, significantDigits: Int = 3) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "∞" : "-∞" }
        if value == 0 { return "0" }
        let digits = max(significantDigits, 1)
        let magnitude = value.magnitude
        var exponent = decadeFloor(magnitude)
        if magnitude >= 1e-4 && magnitude < 1e6 {
            return SVGDocument.fixed(value, decimals: max(0, digits - 1 - exponent))
        }
        var mantissa = value / power10(exponent)
        // Rounding may carry into the next decade: 9.996e-5 → 1e-4.
        if (mantissa.magnitude * power10(digits - 1)).rounded() >= power10(digits) {
            exponent += 1
            mantissa = value / power10(exponent)
        }
        return SVGDocument.fixed(mantissa, decimals: digits - 1) + "e" + String(exponent)
    }

    /// The fewest decimals (up to 9) that write `step` exactly, so that
    /// ticks `step` apart get distinct labels: 0.5 → 1, 2.5 → 1, 20 → 0.
    static func decimalsNeeded(_ step: Double) -> Int {
        var scaled = step.magnitude
        for d in 0..<9 {
            if (scaled - scaled.rounded()).magnitude <= scaled * 1e-9 { return d }
            scaled *= 10
        }
        return 9
    }

    // MARK: Math without libm

    /// log₁₀ x for x > 0 (NaN for x < 0, -∞ for 0). Computed from the
    /// binary exponent and the series ln m = 2·atanh((m−1)/(m+1)), accurate
    /// to about 1e-15: more than a picture needs.
    public static func log10(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return .infinity }
        var m = x.significand
        var e = Double(x.exponent)
        if m > 1.4142135623730951 {
            m /= 2
            e += 1
        }
        let z = (m - 1) / (m + 1)
        let z2 = z * z
        var term = z, sum = 0.0, k = 1.0
        for _ in 0..<30 {
            sum += term / k
            term *= z2
            k += 2
        }
        let ln = 2 * sum + e * 0.6931471805599453
        return ln / 2.302585092994046
    }

    /// 10^k, correctly rounded for |k| ≤ 22 (which covers every axis here).
    public static func power10(_ k: Int) -> Double {
        var result = 1.0
        for _ in 0..<min(k.magnitude, 400) { result *= 10 }
        return k >= 0 ? result : 1 / result
    }

    /// The largest k with 10^k ≤ x (x > 0 and finite).
    static func decadeFloor(_ x: Double) -> Int {
        guard x > 0, x.isFinite else { return 0 }
        var k = Int(log10(x).rounded(.down))
        while power10(k + 1) <= x { k += 1 }
        while power10(k) > x { k -= 1 }
        return k
    }

    /// The smallest k with 10^k ≥ x (x > 0 and finite).
    static func decadeCeil(_ x: Double) -> Int {
        let k = decadeFloor(x)
        return power10(k) == x ? k : k + 1
    }
}
