import Foundation
import NTMPlot

/// Learning curves of several networks over several seeds, as in the
/// paper's figures: cost per sequence against sequences seen, one colour
/// per network, its median over seeds as a line and the min–max spread as
/// a shaded band. A seed's curve ends where its run stopped; past that the
/// median and spread are over the seeds still training.
struct ReproduceChart {
    struct Group {
        var name: String
        /// Per seed: (sequences, value) points, in order.
        var seeds: [[(x: Double, y: Double)]]
    }

    var title: String
    var groups: [Group]
    /// A dashed reference line (dynamic N-grams: the optimal estimator).
    var reference: (name: String, points: [(x: Double, y: Double)])? = nil
    var xLabel = "sequences seen"
    var yLabel = "cost per sequence (bits)"
    var width = 820.0
    var height = 480.0
    var bins = 160

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"]

    /// Per-seed means in bins of `width` sequences, then the median, min and
    /// max over the seeds with data in each bin.
    static func band(_ seeds: [[(x: Double, y: Double)]], binWidth: Double)
        -> [(x: Double, median: Double, low: Double, high: Double)] {
        var perBin: [Int: [Double]] = [:]
        for points in seeds {
            var sums: [Int: (Double, Int)] = [:]
            for p in points where p.x.isFinite && p.y.isFinite {
                let b = Int(((p.x - 1) / binWidth).rounded(.down))
                let s = sums[b] ?? (0, 0)
                sums[b] = (s.0 + p.y, s.1 + 1)
            }
            for (b, s) in sums { perBin[b, default: []].append(s.0 / Double(s.1)) }
        }
        return perBin.keys.sorted().map { b in
            let v = perBin[b]!.sorted()
            let m = v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
            return (x: (Double(b) + 1) * binWidth, median: m, low: v.first!, high: v.last!)
        }
    }

    func svg() -> String {
        let maxX = groups.flatMap { $0.seeds.flatMap { $0.map(\.x) } }.filter(\.isFinite).max() ?? 1
        let binWidth = max(1, Ticks.niceStep(span: maxX, intervals: bins))
        let bands = groups.map { Self.band($0.seeds, binWidth: binWidth) }
        let refBand = reference.map { Self.band([$0.points], binWidth: binWidth) }
        var ys = bands.flatMap { $0.flatMap { [$0.low, $0.high] } } + (refBand?.map(\.median) ?? [])
        ys.append(0)
        let xTicks = Ticks.linear(from: 0, to: maxX, intervals: 6)
        let yTicks = Ticks.linear(from: ys.min() ?? 0, to: max(1.04 * (ys.max() ?? 1), 1e-9), intervals: 6)
        let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        let xLabels = Ticks.labels(for: xTicks, step: xStep)
        let yLabels = Ticks.labels(for: yTicks, step: yStep)

        let titleSize = 16.0, labelSize = 11.0, tickSize = 10.0, tickLength = 4.0
        let text = "#222222", axis = "#444444", grid = "#e3e3e3"
        let yTickWidth = Double(yLabels.map(\.count).max() ?? 1) * tickSize * 0.64
        let plot = Rect(x: 12 + labelSize + 10 + yTickWidth + tickLength + 4, y: 22 + titleSize + 10,
                        width: width - (12 + labelSize + 10 + yTickWidth + tickLength + 4) - 200,
                        height: height - (22 + titleSize + 10) - (tickLength + tickSize + 22 + labelSize))
        let x0 = xTicks.first ?? 0, x1 = xTicks.last ?? 1
        let y0 = yTicks.first ?? 0, y1 = yTicks.last ?? 1
        func px(_ v: Double) -> Double { plot.x + (v - x0) / max(x1 - x0, 1e-12) * plot.width }
        func py(_ v: Double) -> Double { plot.maxY - (v - y0) / max(y1 - y0, 1e-12) * plot.height }

        var doc = SVGDocument(width: width, height: height, title: title)
        doc.text(title, x: 12, y: 12 + titleSize, size: titleSize, bold: true, fill: text)
        doc.group(cssClass: "grid") { doc in
            for v in yTicks { doc.line(x1: plot.x, y1: py(v), x2: plot.maxX, y2: py(v), stroke: grid) }
            for v in xTicks { doc.line(x1: px(v), y1: plot.y, x2: px(v), y2: plot.maxY, stroke: grid) }
        }
        doc.group(cssClass: "bands") { doc in
            for (i, band) in bands.enumerated() where band.count > 1 {
                let colour = Self.palette[i % Self.palette.count]
                let upper = band.map { "\(SVGDocument.number(px($0.x))),\(SVGDocument.number(py($0.high)))" }
                let lower = band.reversed().map { "\(SVGDocument.number(px($0.x))),\(SVGDocument.number(py($0.low)))" }
                doc.element("polygon", [("points", (upper + lower).joined(separator: " ")), ("fill", colour),
                                        ("fill-opacity", "0.16"), ("stroke", "none")])
            }
        }
        doc.group(cssClass: "series") { doc in
            if let refBand, refBand.count > 1 {
                let pts = refBand.map { "\(SVGDocument.number(px($0.x))),\(SVGDocument.number(py($0.median)))" }
                doc.element("polyline", [("points", pts.joined(separator: " ")), ("fill", "none"),
                                         ("stroke", "#555555"), ("stroke-width", "1.4"),
                                         ("stroke-dasharray", "5 4")])
            }
            for (i, band) in bands.enumerated() {
                let colour = Self.palette[i % Self.palette.count]
                if band.count == 1 {
                    doc.circle(cx: px(band[0].x), cy: py(band[0].median), r: 2.5, fill: colour)
                } else if band.count > 1 {
                    doc.polyline(band.map { (x: px($0.x), y: py($0.median)) }, stroke: colour, strokeWidth: 1.8)
                }
            }
        }
        doc.group(cssClass: "axes") { doc in
            doc.rect(plot, fill: "none", stroke: axis, strokeWidth: 0.75)
            for (v, label) in zip(xTicks, xLabels) {
                doc.line(x1: px(v), y1: plot.maxY, x2: px(v), y2: plot.maxY + tickLength, stroke: axis, strokeWidth: 0.75)
                doc.text(label, x: px(v), y: plot.maxY + tickLength + tickSize + 2, size: tickSize, anchor: .middle,
                         fill: text)
            }
            for (v, label) in zip(yTicks, yLabels) {
                doc.line(x1: plot.x - tickLength, y1: py(v), x2: plot.x, y2: py(v), stroke: axis, strokeWidth: 0.75)
                doc.text(label, x: plot.x - tickLength - 3, y: py(v) + tickSize * 0.35, size: tickSize, anchor: .end,
                         fill: text)
            }
            doc.text(xLabel, x: plot.midX, y: plot.maxY + tickLength + tickSize + 10 + labelSize, size: labelSize,
                     anchor: .middle, fill: text)
            let yLabelX = plot.x - tickLength - 3 - yTickWidth - 8
            doc.text(yLabel, x: yLabelX, y: plot.midY, size: labelSize, anchor: .middle, fill: text, rotation: -90)
        }
        if bands.allSatisfy(\.isEmpty) {
            doc.text("no data", x: plot.midX, y: plot.midY, size: labelSize, anchor: .middle, fill: "#777777")
        }
        doc.group(cssClass: "legend") { doc in
            let lx = plot.maxX + 14
            var ly = plot.y + 12
            for (i, g) in groups.enumerated() {
                let colour = Self.palette[i % Self.palette.count]
                doc.rect(x: lx, y: ly - 7, width: 22, height: 14, fill: colour)
                doc.element("rect", [("x", SVGDocument.number(lx)), ("y", SVGDocument.number(ly - 7)),
                                     ("width", "22"), ("height", "14"), ("fill", "#ffffff"), ("fill-opacity", "0.84")])
                doc.line(x1: lx, y1: ly, x2: lx + 22, y2: ly, stroke: colour, strokeWidth: 2.5)
                doc.text("\(g.name) (\(g.seeds.count) seed\(g.seeds.count == 1 ? "" : "s"))", x: lx + 28,
                         y: ly + labelSize * 0.35, size: labelSize, fill: text)
                ly += 20
            }
            if let reference {
                doc.line(x1: lx, y1: ly, x2: lx + 22, y2: ly, stroke: "#555555", strokeWidth: 1.4, dash: "5 4")
                doc.text(reference.name, x: lx + 28, y: ly + labelSize * 0.35, size: labelSize, fill: text)
                ly += 20
            }
            doc.text("line: median over seeds", x: lx, y: ly + 8, size: tickSize, fill: "#555555")
            doc.text("band: min–max over seeds", x: lx, y: ly + 22, size: tickSize, fill: "#555555")
        }
        return doc.rendered()
    }
}
