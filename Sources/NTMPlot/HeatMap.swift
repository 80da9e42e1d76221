// One matrix drawn as a grid of coloured cells, with everything a reader
// needs to decode it at a glance: a title, index ticks on both axes, axis
// labels and a colour bar showing which colours mean the smallest and
// largest value.

/// A heat map of a `Matrix`: row 0 at the top, column 0 at the left.
///
/// A heat map can draw itself into part of a larger document (that is how
/// `SequencePicture` stacks panels on a shared time axis) or stand alone
/// through `svg()`. When drawn into a document the caller chooses the
/// rectangle the cells fill and leaves `margins` of room around it.
public struct HeatMap: Sendable {
    public var matrix: Matrix
    public var title: String
    /// Under the column ticks; empty for none (saves the space).
    public var xLabel: String
    /// Beside the row ticks; empty for none.
    public var yLabel: String
    /// The values mapped to the ends of the colour scale; nil means the
    /// smallest and largest finite value in the matrix.
    public var range: ClosedRange<Double>?
    public var colorScale: ColorScale
    /// Draw each run of equal-coloured cells in a row as one rectangle. The
    /// picture is the same (cells have crisp edges and no stroke), but
    /// weightings and memory, mostly one colour, make files several times
    /// smaller. Off by default, so that each `rect` stands for one cell.
    public var mergesEqualCells = false

    /// The class of the group holding the cells' `rect`s: one per cell, or
    /// one per run of equal cells in a row with `mergesEqualCells`.
    public static let cellsClass = "heatmap-cells"
    /// The class of the colour bar's group.
    public static let colorBarClass = "colorbar"

    public init(_ matrix: Matrix, title: String, xLabel: String = "", yLabel: String? = nil,
                range: ClosedRange<Double>? = nil, colorScale: ColorScale = .viridis) {
        self.matrix = matrix
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel ?? matrix.label
        self.range = range
        self.colorScale = colorScale
    }

    // MARK: Layout

    /// The value range actually used: `range`, else the data's finite
    /// range, widened when it has zero width (a constant matrix) so the
    /// colour bar still has two distinct ends.
    public var valueRange: ClosedRange<Double> {
        var r = range ?? matrix.finiteRange ?? 0...1
        if !(r.lowerBound.isFinite && r.upperBound.isFinite) { r = 0...1 }
        if r.upperBound - r.lowerBound <= 0 {
            let pad = max(r.lowerBound.magnitude * 0.5, 0.5)
            r = (r.lowerBound - pad)...(r.upperBound + pad)
        }
        return r
    }

    /// Room needed around the cell rectangle: title above, row ticks and
    /// y label to the left, column ticks and x label below, colour bar to
    /// the right.
    public var margins: Insets {
        let top = title.isEmpty ? 6.0 : 24
        var left = rowTickWidth + 4
        if !yLabel.isEmpty { left += Style.labelSize + 8 }
        var bottom = Style.tickLength + Style.tickSize + 8
        if !xLabel.isEmpty { bottom += Style.labelSize + 6 }
        let right = Layout.barGap + Layout.barWidth + Style.tickLength + 3 + colorBarLabelWidth + 6
        return Insets(top: top, left: left, bottom: bottom, right: right)
    }

    /// A cell size for `count` cells meant to span about `span` units,
    /// clamped to `minimum...maximum` and rounded down to whole units:
    /// whole-pixel cells render without seams or uneven widths.
    public static func cellSize(count: Int, span: Double, minimum: Double, maximum: Double) -> Double {
        guard count > 0 else { return maximum }
        let size = min(max(span / Double(count), minimum), maximum)
        return size >= 2 ? size.rounded(.down) : size
    }

    /// The smallest height the cell rectangle should have, so the colour
    /// bar has room for its two labels.
    public static let minimumPlotHeight = 30.0

    enum Layout {
        static let barGap = 10.0
        static let barWidth = 12.0
        static let barSlices = 64
    }

    private var rowTickWidth: Double {
        Style.textWidth(String(max(matrix.rows - 1, 0)), size: Style.tickSize) + Style.tickLength + 3
    }

    /// The colour bar's ticks as fractions of the range (0 = bottom) and
    /// labels: the exact min and max, so the reader knows the extremes,
    /// and between them one round number (1-2-5 rule) near the middle,
    /// e.g. 0 on a range from -0.98 to 1.03, rather than "0.0247".
    private var colorBarTicks: [(fraction: Double, label: String)] {
        let r = valueRange
        let span = r.upperBound - r.lowerBound
        var ticks = [(0.0, Ticks.format(r.lowerBound)), (1.0, Ticks.format(r.upperBound))]
        let step = Ticks.niceStep(span: span, intervals: 2)
        let middle = (r.lowerBound + r.upperBound) / 2
        let candidate = (middle / step).rounded() * step
        let fraction = (candidate - r.lowerBound) / span
        if fraction >= 0.2 && fraction <= 0.8 {
            ticks.append((fraction, Ticks.labels(for: [candidate], step: step)[0]))
        }
        return ticks
    }

    private var colorBarLabelWidth: Double {
        colorBarTicks.map { Style.textWidth($0.label, size: Style.tickSize) }.max() ?? 0
    }

    // MARK: Drawing

    /// Draws the heat map with its cells filling `area` (labels go into
    /// the surrounding `margins`).
    public func draw(into document: inout SVGDocument, cells area: Rect) {
        document.group(cssClass: "heatmap") { doc in
            drawTitle(into: &doc, area: area)
            drawCells(into: &doc, area: area)
            doc.rect(area, fill: "none", stroke: Style.axis, strokeWidth: 0.75)
            drawAxes(into: &doc, area: area)
            drawColorBar(into: &doc, area: area)
        }
    }

    /// The heat map alone as an SVG document, with cell sizes chosen from
    /// the matrix dimensions (unless given).
    public func svg(cellWidth: Double? = nil, cellHeight: Double? = nil) -> String {
        let cw = cellWidth ?? Self.cellSize(count: matrix.columns, span: 640, minimum: 2, maximum: 24)
        var ch = cellHeight ?? Self.cellSize(count: matrix.rows, span: 320, minimum: 2, maximum: 24)
        if cellHeight == nil && Double(matrix.rows) * ch < Self.minimumPlotHeight {
            ch = (Self.minimumPlotHeight / Double(max(matrix.rows, 1))).rounded(.up)
        }
        let m = margins
        let pad = 10.0
        let area = Rect(x: pad + m.left, y: pad + m.top,
                        width: Double(matrix.columns) * cw, height: max(Double(matrix.rows) * ch, 1))
        let titleWidth = Style.textWidth(title, size: Style.panelTitleSize) + (matrix.containsNaN ? 50 : 0)
        let width = max(area.maxX + m.right + pad, area.x + titleWidth + pad)
        let height = area.maxY + max(m.bottom, Self.minimumPlotHeight - area.height + 4) + pad
        var doc = SVGDocument(width: width.rounded(.up), height: height.rounded(.up), title: title)
        draw(into: &doc, cells: area)
        return doc.rendered()
    }

    private func drawTitle(into doc: inout SVGDocument, area: Rect) {
        guard !title.isEmpty else { return }
        let baseline = area.y - 8
        doc.text(title, x: area.x, y: baseline, size: Style.panelTitleSize, bold: true, fill: Style.text)
        if matrix.containsNaN {
            // NaN cells get a colour outside the scale; say which.
            let x = area.x + Style.textWidth(title, size: Style.panelTitleSize) + 12
            doc.rect(x: x, y: baseline - 9, width: 10, height: 10, fill: colorScale.missing.hex,
                     stroke: Style.axis, strokeWidth: 0.5)
            doc.text("NaN", x: x + 14, y: baseline, size: Style.tickSize, fill: Style.text)
        }
    }

    private func drawCells(into doc: inout SVGDocument, area: Rect) {
        let rows = matrix.rows, columns = matrix.columns
        let range = valueRange
        let scale = colorScale
        let values = matrix.values
        // Edges are computed once and rounded as the SVG will store them, so
        // each cell ends exactly where the next begins: no hairline seams.
        let xs = (0...columns).map { c in Self.rounded(area.x + area.width * Double(c) / Double(max(columns, 1))) }
        let ys = (0...rows).map { r in Self.rounded(area.y + area.height * Double(r) / Double(max(rows, 1))) }
        doc.group(cssClass: Self.cellsClass, attributes: [("shape-rendering", "crispEdges")]) { doc in
            for r in 0..<rows where columns > 0 {
                // A run of cells [start, c) of one colour, drawn when the colour
                // changes (or at every cell without merging); each colour is
                // computed once.
                var start = 0
                var runFill = scale.hex(for: Double(values[r * columns]), in: range)
                for c in 1...columns {
                    let fill = c < columns ? scale.hex(for: Double(values[r * columns + c]), in: range) : ""
                    if c == columns || fill != runFill || !mergesEqualCells {
                        doc.rect(x: xs[start], y: ys[r], width: xs[c] - xs[start], height: ys[r + 1] - ys[r],
                                 fill: runFill)
                        start = c
                        runFill = fill
                    }
                }
            }
        }
    }

    private func drawAxes(into doc: inout SVGDocument, area: Rect) {
        let rows = matrix.rows, columns = matrix.columns
        guard rows > 0, columns > 0 else { return }
        let cw = area.width / Double(columns), ch = area.height / Double(rows)
        doc.group(cssClass: "axes") { doc in
            // Column indices under the cells, centred on their column.
            let widest = Style.textWidth(String(columns - 1), size: Style.tickSize)
            // Room for the widest label; on a wide axis no more than ~8 labels.
            let xStep = Ticks.indexStep(count: columns, cellSize: cw,
                                        minSpacing: max(widest + 12, min(40, area.width / 8)))
            for c in stride(from: 0, to: columns, by: xStep) {
                let x = area.x + (Double(c) + 0.5) * cw
                doc.line(x1: x, y1: area.maxY, x2: x, y2: area.maxY + Style.tickLength,
                         stroke: Style.axis, strokeWidth: 0.75)
                doc.text(String(c), x: x, y: area.maxY + Style.tickLength + Style.tickSize + 1,
                         size: Style.tickSize, anchor: .middle, fill: Style.text)
            }
            // Row indices to the left, centred on their row.
            let yStep = Ticks.indexStep(count: rows, cellSize: ch, minSpacing: 22)
            for r in stride(from: 0, to: rows, by: yStep) {
                let y = area.y + (Double(r) + 0.5) * ch
                doc.line(x1: area.x - Style.tickLength, y1: y, x2: area.x, y2: y,
                         stroke: Style.axis, strokeWidth: 0.75)
                doc.text(String(r), x: area.x - Style.tickLength - 2, y: y + Style.tickSize * 0.35,
                         size: Style.tickSize, anchor: .end, fill: Style.text)
            }
            if !xLabel.isEmpty {
                doc.text(xLabel, x: area.midX,
                         y: area.maxY + Style.tickLength + Style.tickSize + 6 + Style.labelSize,
                         size: Style.labelSize, anchor: .middle, fill: Style.text)
            }
            if !yLabel.isEmpty {
                let x = area.x - rowTickWidth - 5
                doc.text(yLabel, x: x, y: area.midY, size: Style.labelSize, anchor: .middle,
                         fill: Style.text, rotation: -90)
            }
        }
    }

    private func drawColorBar(into doc: inout SVGDocument, area: Rect) {
        let scale = colorScale
        let bar = Rect(x: area.maxX + Layout.barGap, y: area.y,
                       width: Layout.barWidth, height: max(area.height, Self.minimumPlotHeight))
        let ticks = colorBarTicks
        doc.group(cssClass: Self.colorBarClass) { doc in
            doc.group(attributes: [("shape-rendering", "crispEdges")]) { doc in
                let n = Layout.barSlices
                for i in 0..<n {
                    // Slice 0 at the top shows the highest value.
                    let top = Self.rounded(bar.y + bar.height * Double(i) / Double(n))
                    let bottom = Self.rounded(bar.y + bar.height * Double(i + 1) / Double(n))
                    let fraction = 1 - (Double(i) + 0.5) / Double(n)
                    doc.rect(x: bar.x, y: top, width: bar.width, height: bottom - top,
                             fill: scale.color(atFraction: fraction).hex)
                }
            }
            doc.rect(bar, fill: "none", stroke: Style.axis, strokeWidth: 0.75)
            // Max at the top, min at the bottom, a round middle value when there is room.
            for (fraction, label) in ticks where fraction == 0 || fraction == 1 || bar.height >= 90 {
                let y = bar.maxY - fraction * bar.height
                doc.line(x1: bar.maxX, y1: y, x2: bar.maxX + Style.tickLength, y2: y,
                         stroke: Style.axis, strokeWidth: 0.75)
                doc.text(label, x: bar.maxX + Style.tickLength + 3, y: y + Style.tickSize * 0.35,
                         size: Style.tickSize, fill: Style.text)
            }
        }
    }

    /// Rounds to the two decimals SVGDocument writes, so that computed
    /// widths agree with the stored coordinates.
    static func rounded(_ v: Double) -> Double { (v * 100).rounded() / 100 }
}
