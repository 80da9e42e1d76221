// Learning curves: cost against the number of sequences seen, one line per
// run or per quantity, like the training-progress figures of the paper.

/// A line chart of one or more series with 1-2-5 ticks, a legend, and an
/// optional logarithmic y axis (costs often fall over several decades).
///
/// Bad data must not spoil a picture drawn from a long run's log, so
/// points with a non-finite coordinate (and, on a log axis, y ≤ 0) are
/// skipped; the line is broken there instead of pretending the gap was
/// smooth. A point with no usable neighbour is drawn as a dot.
public struct LearningCurve: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logY: Bool
    /// Size of the whole picture.
    public var width: Double
    public var height: Double

    /// Tableau's ten categorical colours: distinct, and none too pale on white.
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    /// The class of the group holding the data lines and dots.
    public static let seriesClass = "series"
    public static let legendClass = "legend"

    public init(title: String, xLabel: String = "sequences seen", yLabel: String = "cost per sequence (bits)",
                series: [Series], logY: Bool = false, width: Double = 760, height: Double = 460) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.width = width
        self.height = height
    }

    /// True if the point can be drawn on this chart's axes.
    func isUsable(_ p: (x: Double, y: Double)) -> Bool {
        p.x.isFinite && p.y.isFinite && (!logY || p.y > 0)
    }

    /// Each series' usable points as runs of consecutive points: a skipped
    /// point ends one run and starts the next.
    func segments(_ s: Series) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = []
        var current: [(x: Double, y: Double)] = []
        for p in s.points {
            if isUsable(p) {
                current.append(p)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// An axis: its end values, where ticks go, and how to map a value to
    /// a fraction of the axis length.
    struct Axis {
        var major: [Double]
        var labels: [String]
        var minor: [Double] = []
        var low: Double
        var high: Double
        var log: Bool

        func fraction(_ v: Double) -> Double {
            if log {
                return (Ticks.log10(v) - Ticks.log10(low)) / (Ticks.log10(high) - Ticks.log10(low))
            }
            return (v - low) / (high - low)
        }
    }

    static func linearAxis(_ values: [Double], intervals: Int) -> Axis {
        let ticks = Ticks.linear(from: values.min() ?? 0, to: values.max() ?? 1, intervals: intervals)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        return Axis(major: ticks, labels: Ticks.labels(for: ticks, step: step),
                    low: ticks.first!, high: ticks.last!, log: false)
    }

    static func logAxis(_ values: [Double], maxMajor: Int) -> Axis {
        let t = Ticks.logarithmic(from: values.min() ?? 1, to: values.max() ?? 10, maxMajor: maxMajor)
        return Axis(major: t.major, labels: t.major.map { Ticks.format($0) }, minor: t.minor,
                    low: Ticks.power10(t.lowerExponent), high: Ticks.power10(t.upperExponent), log: true)
    }

    /// The top-left point of a `box`-sized legend in the corner of `plot`
    /// that covers the fewest drawn points (lines are sampled every few
    /// units so a steep segment counts too). Ties prefer top right, then
    /// top left, bottom right, bottom left.
    static func emptiestCorner(of plot: Rect, box: (width: Double, height: Double),
                               lines: [[(x: Double, y: Double)]]) -> (x: Double, y: Double) {
        let inset = 8.0
        let corners = [(plot.maxX - inset - box.width, plot.y + inset),
                       (plot.x + inset, plot.y + inset),
                       (plot.maxX - inset - box.width, plot.maxY - inset - box.height),
                       (plot.x + inset, plot.maxY - inset - box.height)]
        var samples: [(x: Double, y: Double)] = []
        for line in lines {
            samples += line
            for (a, b) in zip(line, line.dropFirst()) {
                let length = max((b.x - a.x).magnitude, (b.y - a.y).magnitude)
                let n = Int(min(length / 3, 200))
                guard n > 1 else { continue }
                for k in 1..<n {
                    let t = Double(k) / Double(n)
                    samples.append((a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t))
                }
            }
        }
        func covered(_ corner: (Double, Double)) -> Int {
            let margin = 4.0
            return samples.filter { p in
                p.x >= corner.0 - margin && p.x <= corner.0 + box.width + margin
                    && p.y >= corner.1 - margin && p.y <= corner.1 + box.height + margin
            }.count
        }
        var best = corners[0], bestCount = Int.max
        for corner in corners {
            let count = covered(corner)
            if count < bestCount { best = corner; bestCount = count }
        }
        return (x: best.0, y: best.1)
    }

    /// The chart as an SVG document.
    public func svg() -> String {
        let runs = series.map(segments)
        let points = runs.flatMap { $0.flatMap { $0 } }
        let hasData = !points.isEmpty

        // Layout: title on top, y ticks and label to the left, x below.
        // The legend goes inside the plot, in the corner the lines leave
        // most empty, unless it is too big, in which case it goes to the
        // right, outside, so that it never hides data.
        let legendBox = (width: 34 + (series.map { Style.textWidth($0.name, size: Style.labelSize) }.max() ?? 0),
                         height: 8 + Double(series.count) * 18)
        let top = 22 + Style.titleSize + 10
        let bottom = Style.tickLength + Style.tickSize + 10 + Style.labelSize + 12
        let plotHeight = max(height - top - bottom, 60)
        let y = logY
            ? Self.logAxis(points.map(\.y), maxMajor: max(Int(plotHeight / 40), 2))
            : Self.linearAxis(points.map(\.y), intervals: max(Int(plotHeight / 60), 2))
        let yTickWidth = y.labels.map { Style.textWidth($0, size: Style.tickSize) }.max() ?? 0
        let left = 12 + Style.labelSize + 10 + yTickWidth + Style.tickLength + 4
        let legendOutside = !series.isEmpty
            && (legendBox.width > 0.45 * (width - left - 16) || legendBox.height > 0.45 * plotHeight)
        let legendWidth = legendOutside ? legendBox.width + 16 : 0
        let plotWidth = max(width - left - 16 - legendWidth, 80)
        let x = Self.linearAxis(points.map(\.x), intervals: max(Int(plotWidth / 80), 2))
        let plot = Rect(x: left, y: top, width: plotWidth, height: plotHeight)
        let totalWidth = max(width, plot.maxX + 16 + legendWidth)

        func px(_ v: Double) -> Double { plot.x + x.fraction(v) * plot.width }
        func py(_ v: Double) -> Double { plot.maxY - y.fraction(v) * plot.height }

        var doc = SVGDocument(width: totalWidth.rounded(.up), height: (plot.maxY + bottom).rounded(.up), title: title)
        doc.text(title, x: 12, y: 12 + Style.titleSize, size: Style.titleSize, bold: true, fill: Style.text)

        doc.group(cssClass: "grid") { doc in
            for v in y.minor {
                doc.line(x1: plot.x, y1: py(v), x2: plot.maxX, y2: py(v), stroke: Style.minorGrid)
            }
            for v in y.major {
                doc.line(x1: plot.x, y1: py(v), x2: plot.maxX, y2: py(v), stroke: Style.grid)
            }
            for v in x.major {
                doc.line(x1: px(v), y1: plot.y, x2: px(v), y2: plot.maxY, stroke: Style.grid)
            }
        }

        doc.group(cssClass: Self.seriesClass) { doc in
            for (i, segmentsOfSeries) in runs.enumerated() {
                let colour = Self.palette[i % Self.palette.count]
                for run in segmentsOfSeries {
                    let mapped = run.map { (x: px($0.x), y: py($0.y)) }
                    if mapped.count == 1 {
                        doc.circle(cx: mapped[0].x, cy: mapped[0].y, r: 2.5, fill: colour)
                    } else {
                        doc.polyline(mapped, stroke: colour, strokeWidth: 1.6)
                    }
                }
            }
        }

        doc.group(cssClass: "axes") { doc in
            doc.rect(plot, fill: "none", stroke: Style.axis, strokeWidth: 0.75)
            for (v, label) in zip(x.major, x.labels) {
                doc.line(x1: px(v), y1: plot.maxY, x2: px(v), y2: plot.maxY + Style.tickLength,
                         stroke: Style.axis, strokeWidth: 0.75)
                doc.text(label, x: px(v), y: plot.maxY + Style.tickLength + Style.tickSize + 2,
                         size: Style.tickSize, anchor: .middle, fill: Style.text)
            }
            for (v, label) in zip(y.major, y.labels) {
                doc.line(x1: plot.x - Style.tickLength, y1: py(v), x2: plot.x, y2: py(v),
                         stroke: Style.axis, strokeWidth: 0.75)
                doc.text(label, x: plot.x - Style.tickLength - 3, y: py(v) + Style.tickSize * 0.35,
                         size: Style.tickSize, anchor: .end, fill: Style.text)
            }
            doc.text(xLabel, x: plot.midX, y: plot.maxY + Style.tickLength + Style.tickSize + 10 + Style.labelSize,
                     size: Style.labelSize, anchor: .middle, fill: Style.text)
            let yLabelX = plot.x - Style.tickLength - 3 - yTickWidth - 8
            doc.text(logY ? yLabel + ", log scale" : yLabel, x: yLabelX, y: plot.midY,
                     size: Style.labelSize, anchor: .middle, fill: Style.text, rotation: -90)
        }

        if !hasData {
            doc.text("no data", x: plot.midX, y: plot.midY, size: Style.labelSize, anchor: .middle, fill: Style.muted)
        }

        if !series.isEmpty {
            let origin: (x: Double, y: Double)
            if legendOutside {
                origin = (plot.maxX + 12, plot.y)
            } else {
                let drawn = runs.flatMap { $0.map { run in run.map { (x: px($0.x), y: py($0.y)) } } }
                origin = Self.emptiestCorner(of: plot, box: legendBox, lines: drawn)
            }
            doc.group(cssClass: Self.legendClass) { doc in
                if !legendOutside {
                    doc.element("rect", [("x", SVGDocument.number(origin.x)), ("y", SVGDocument.number(origin.y)),
                                         ("width", SVGDocument.number(legendBox.width)),
                                         ("height", SVGDocument.number(legendBox.height)),
                                         ("fill", "#ffffff"), ("fill-opacity", "0.85"),
                                         ("stroke", Style.grid), ("stroke-width", "1")])
                }
                for (i, s) in series.enumerated() {
                    let colour = Self.palette[i % Self.palette.count]
                    let x0 = origin.x + 6
                    let yy = origin.y + 13 + Double(i) * 18
                    doc.line(x1: x0, y1: yy, x2: x0 + 20, y2: yy, stroke: colour, strokeWidth: 2.5)
                    doc.text(s.name, x: x0 + 26, y: yy + Style.labelSize * 0.35, size: Style.labelSize,
                             fill: Style.text)
                }
            }
        }
        return doc.rendered()
    }
}
