// A tiny SVG document builder.
//
// The pictures need only rectangles, lines, polylines, circles, text and
// groups, so instead of a dependency we write the markup ourselves. Two
// things matter and are easy to get wrong by hand, so they live here once:
// every piece of text and every attribute value is XML-escaped, and every
// number is written compactly and deterministically (no exponent, at most
// two decimals), so the same picture always produces the same bytes and
// viewers never see "1e-05" in a coordinate.

/// Horizontal alignment of a text element relative to its anchor point.
public enum TextAnchor: String, Sendable {
    case start, middle, end
}

/// An SVG document under construction: append elements, then `rendered()`.
///
/// The document has a white background (transparent pictures are unreadable
/// in dark-mode viewers) and uses a sans-serif font throughout.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    /// Shown by viewers as the document's name; also helps screen readers.
    public var title: String?

    private var body: [String] = []
    private var depth = 1

    public init(width: Double, height: Double, title: String? = nil) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.title = title
    }

    // MARK: Elements

    /// Appends any element with the given attributes (values are escaped)
    /// and optional text content (escaped too). The other methods are
    /// conveniences on top of this one.
    public mutating func element(_ name: String, _ attributes: [(String, String)], content: String? = nil) {
        var line = String(repeating: "  ", count: depth) + "<" + name
        for (key, value) in attributes {
            line += " " + key + "=\"" + SVGDocument.escape(value) + "\""
        }
        if let content {
            line += ">" + SVGDocument.escape(content) + "</" + name + ">"
        } else {
            line += "/>"
        }
        body.append(line)
    }

    /// A filled (and optionally outlined) rectangle.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double,
                              fill: String, stroke: String? = nil, strokeWidth: Double = 1,
                              cssClass: String? = nil) {
        var attributes = [("x", Self.number(x)), ("y", Self.number(y)),
                          ("width", Self.number(max(0, width))), ("height", Self.number(max(0, height))),
                          ("fill", fill)]
        if let stroke {
            attributes += [("stroke", stroke), ("stroke-width", Self.number(strokeWidth))]
        }
        if let cssClass { attributes.append(("class", cssClass)) }
        element("rect", attributes)
    }

    /// A rectangle given as a `Rect`.
    public mutating func rect(_ r: Rect, fill: String, stroke: String? = nil, strokeWidth: Double = 1,
                              cssClass: String? = nil) {
        rect(x: r.x, y: r.y, width: r.width, height: r.height,
             fill: fill, stroke: stroke, strokeWidth: strokeWidth, cssClass: cssClass)
    }

    /// A straight line; `dash` is an SVG dash array such as "4 3".
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double,
                              stroke: String = "#000000", strokeWidth: Double = 1, dash: String? = nil) {
        var attributes = [("x1", Self.number(x1)), ("y1", Self.number(y1)),
                          ("x2", Self.number(x2)), ("y2", Self.number(y2)),
                          ("stroke", stroke), ("stroke-width", Self.number(strokeWidth))]
        if let dash { attributes.append(("stroke-dasharray", dash)) }
        element("line", attributes)
    }

    /// An open polyline through `points`, unfilled. Non-finite points would
    /// make the markup invalid, so callers split lines at them beforehand;
    /// any that slip through are dropped here.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String,
                                  strokeWidth: Double = 1.5, cssClass: String? = nil) {
        let list = points.filter { $0.x.isFinite && $0.y.isFinite }
            .map { Self.number($0.x) + "," + Self.number($0.y) }
            .joined(separator: " ")
        var attributes = [("points", list), ("fill", "none"), ("stroke", stroke),
                          ("stroke-width", Self.number(strokeWidth)),
                          ("stroke-linejoin", "round"), ("stroke-linecap", "round")]
        if let cssClass { attributes.append(("class", cssClass)) }
        element("polyline", attributes)
    }

    /// A filled circle, used for isolated data points.
    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String) {
        element("circle", [("cx", Self.number(cx)), ("cy", Self.number(cy)),
                           ("r", Self.number(max(0, r))), ("fill", fill)])
    }

    /// A line of text whose baseline starts (or is centred, or ends) at
    /// (x, y). `rotation` is in degrees about the anchor point; -90 gives
    /// the usual upward-reading y-axis label.
    public mutating func text(_ content: String, x: Double, y: Double, size: Double = 11,
                              anchor: TextAnchor = .start, bold: Bool = false,
                              fill: String = "#222222", rotation: Double = 0,
                              cssClass: String? = nil) {
        var attributes = [("x", Self.number(x)), ("y", Self.number(y)),
                          ("font-size", Self.number(size)), ("fill", fill)]
        if anchor != .start { attributes.append(("text-anchor", anchor.rawValue)) }
        if bold { attributes.append(("font-weight", "bold")) }
        if rotation != 0 {
            attributes.append(("transform",
                               "rotate(" + Self.number(rotation) + " " + Self.number(x) + " " + Self.number(y) + ")"))
        }
        if let cssClass { attributes.append(("class", cssClass)) }
        element("text", attributes, content: content)
    }

    /// A group `<g>` around whatever `content` appends. The class names the
    /// group for tests and style sheets; `attributes` apply to every child
    /// (e.g. `shape-rendering`).
    public mutating func group(cssClass: String? = nil, attributes: [(String, String)] = [],
                               _ content: (inout SVGDocument) -> Void) {
        var all = attributes
        if let cssClass { all.insert(("class", cssClass), at: 0) }
        var line = String(repeating: "  ", count: depth) + "<g"
        for (key, value) in all {
            line += " " + key + "=\"" + SVGDocument.escape(value) + "\""
        }
        body.append(line + ">")
        depth += 1
        content(&self)
        depth -= 1
        body.append(String(repeating: "  ", count: depth) + "</g>")
    }

    // MARK: Output

    /// The complete document as text, ending in a newline.
    public func rendered() -> String {
        let w = Self.number(width), h = Self.number(height)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(w)\" height=\"\(h)\" "
        out += "viewBox=\"0 0 \(w) \(h)\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        if let title {
            out += "  <title>" + Self.escape(title) + "</title>\n"
        }
        out += "  <rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"#ffffff\"/>\n"
        for line in body {
            out += line
            out += "\n"
        }
        out += "</svg>\n"
        return out
    }

    // MARK: Formatting

    /// A coordinate or length as SVG text: rounded to two decimals, no
    /// exponent, no trailing zeros, no "-0". Non-finite values become "0" so
    /// that a stray NaN cannot make the document unparsable.
    public static func number(_ value: Double) -> String {
        fixed(value, decimals: 2)
    }

    /// `value` with at most `decimals` (0...9) digits after the point, in
    /// plain positional notation; trailing zeros are dropped.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        let places = min(max(decimals, 0), 9)
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        // Beyond 2^53 a Double has no fractional digits left anyway; clamp
        // so the integer conversion below cannot trap.
        let scaled = min((value.magnitude * Double(scale)).rounded(), 9.0e15)
        let n = UInt64(scaled)
        var text = String(n / scale)
        let fraction = n % scale
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: places - digits.count) + digits
            while digits.last == "0" { digits.removeLast() }
            text += "." + digits
        }
        return value < 0 && n != 0 ? "-" + text : text
    }

    /// `text` made safe for XML character data and attribute values: the
    /// five special characters become entities and control characters that
    /// XML 1.0 forbids are dropped (tab, newline and return are kept).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
