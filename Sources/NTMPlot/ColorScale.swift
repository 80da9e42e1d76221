// Mapping numbers to colours for heat maps.
//
// A sequential map whose lightness rises steadily (viridis) lets the eye
// read "more" as "brighter" everywhere in the range and survives greyscale
// printing and the common forms of colour blindness, which rainbow maps do
// not. The map is defined by a handful of anchor colours and linear
// interpolation between them, which is accurate enough for pictures and
// keeps the definition short and readable.

/// An sRGB colour with 8-bit channels.
public struct RGBColor: Equatable, Hashable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Parses "#rrggbb" (case-insensitive); nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 7, digits[0] == UInt8(ascii: "#") else { return nil }
        var channels: [UInt8] = []
        for i in stride(from: 1, to: 7, by: 2) {
            guard let hi = Self.nibble(digits[i]), let lo = Self.nibble(digits[i + 1]) else { return nil }
            channels.append(hi << 4 | lo)
        }
        self.init(red: channels[0], green: channels[1], blue: channels[2])
    }

    /// The colour as "#rrggbb" in lower case, as SVG attributes want it.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        var out = "#"
        for c in [red, green, blue] {
            out.append(digits[Int(c >> 4)])
            out.append(digits[Int(c & 15)])
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A sequential colour map: the lowest value gets the first anchor colour,
/// the highest the last, values between are interpolated linearly between
/// evenly spaced anchors. NaN gets `missing`, a colour chosen to stand out
/// from the map so that a broken value is visible rather than disguised as
/// a small or large one.
public struct ColorScale: Equatable, Sendable {
    /// At least two colours, evenly spaced over the range, low to high.
    public var anchors: [RGBColor]
    /// The colour of NaN.
    public var missing: RGBColor

    public init(anchors: [RGBColor], missing: RGBColor) {
        precondition(anchors.count >= 2, "a colour scale needs at least two anchor colours")
        self.anchors = anchors
        self.missing = missing
    }

    /// Matplotlib's viridis (dark blue-purple → green → yellow), sampled at
    /// nine evenly spaced points. NaN is a vivid magenta, a hue viridis
    /// never reaches.
    public static let viridis = ColorScale(
        anchors: ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21908c",
                  "#27ad81", "#5dc863", "#aadc32", "#fde725"].map { RGBColor(hex: $0)! },
        missing: RGBColor(hex: "#e6007e")!)

    /// White → black, for pictures that will be printed. NaN is red.
    public static let greys = ColorScale(
        anchors: ["#ffffff", "#d9d9d9", "#969696", "#525252", "#000000"].map { RGBColor(hex: $0)! },
        missing: RGBColor(hex: "#d62728")!)

    /// The colour at `fraction` of the way from low to high; fractions
    /// outside 0...1 are clamped, NaN gives `missing`.
    public func color(atFraction fraction: Double) -> RGBColor {
        guard !fraction.isNaN else { return missing }
        let t = min(max(fraction, 0), 1)
        let position = t * Double(anchors.count - 1)
        let i = min(Int(position), anchors.count - 2)
        let f = position - Double(i)
        let a = anchors[i], b = anchors[i + 1]
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 {
            UInt8((Double(x) + (Double(y) - Double(x)) * f).rounded())
        }
        return RGBColor(red: mix(a.red, b.red), green: mix(a.green, b.green), blue: mix(a.blue, b.blue))
    }

    /// The colour of `value` on a scale from `range.lowerBound` (first
    /// anchor) to `range.upperBound` (last anchor). Values outside are
    /// clamped (±∞ included); NaN gives `missing`. A range of zero width
    /// maps everything to the middle colour, since there is no "more".
    public func color(for value: Double, in range: ClosedRange<Double>) -> RGBColor {
        guard !value.isNaN else { return missing }
        let width = range.upperBound - range.lowerBound
        guard width > 0, width.isFinite else { return color(atFraction: 0.5) }
        if value == .infinity { return color(atFraction: 1) }
        if value == -.infinity { return color(atFraction: 0) }
        return color(atFraction: (value - range.lowerBound) / width)
    }

    /// `color(for:in:)` as "#rrggbb".
    public func hex(for value: Double, in range: ClosedRange<Double>) -> String {
        color(for: value, in: range).hex
    }
}
