// Rectangles, margins and a text-width estimate: the few geometric notions
// the pictures share when they lay themselves out.

/// An axis-aligned rectangle in SVG user units (y grows downwards).
public struct Rect: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }
}

/// The space a drawing needs around its plotting area for titles, tick
/// labels, axis labels and colour bars. Layout code sums these so that
/// panels stacked in one picture can share a left edge.
public struct Insets: Equatable, Sendable {
    public var top: Double
    public var left: Double
    public var bottom: Double
    public var right: Double

    public init(top: Double, left: Double, bottom: Double, right: Double) {
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }
}

/// Fonts and sizes shared by every picture, so that all of them read alike.
enum Style {
    static let titleSize = 16.0
    static let panelTitleSize = 12.0
    static let labelSize = 11.0
    static let tickSize = 10.0
    static let tickLength = 4.0
    static let text = "#222222"
    static let axis = "#444444"
    static let grid = "#e3e3e3"
    static let minorGrid = "#f1f1f1"
    static let muted = "#777777"

    /// A generous estimate of the width of `text` in a sans-serif font of
    /// `size`: we cannot measure text without a font engine, and a label
    /// that is estimated too wide only costs a little white space, whereas
    /// one estimated too narrow overlaps its neighbour.
    static func textWidth(_ text: String, size: Double) -> Double {
        var units = 0.0
        for ch in text {
            switch ch {
            case "i", "l", "j", "t", "f", "r", "I", ".", ",", ":", ";", "'", "|", "!", " ", "(", ")", "[", "]":
                units += 0.36
            case "m", "w", "M", "W", "@", "%":
                units += 0.95
            case "A"..."Z":
                units += 0.72
            default:
                units += 0.64
            }
        }
        return units * size
    }
}
