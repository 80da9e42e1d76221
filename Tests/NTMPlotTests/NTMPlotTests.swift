import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import NTMPlot

/// What a parsed SVG contains: every element with its attributes and the
/// classes of its enclosing groups, and the text of every text/title.
final class ParsedSVG: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// Classes of enclosing elements, outermost first.
        var ancestorClasses: [String]
    }

    var elements: [Element] = []
    var texts: [String] = []
    private var classStack: [String] = []
    private var pendingText = ""

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributeDict, ancestorClasses: classStack))
        classStack.append(attributeDict["class"] ?? "")
        pendingText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        pendingText += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        classStack.removeLast()
        if elementName == "text" || elementName == "title" { texts.append(pendingText) }
        pendingText = ""
    }

    /// Elements named `name` whose nearest classed ancestor group has `cssClass`.
    func elements(_ name: String, inGroup cssClass: String) -> [Element] {
        elements.filter { $0.name == name && $0.ancestorClasses.last(where: { !$0.isEmpty }) == cssClass }
    }

    func count(_ name: String) -> Int { elements.filter { $0.name == name }.count }
}

final class NTMPlotTests: XCTestCase {
    // MARK: Helpers

    /// Parses `svg`, failing the test with the parser's message if it is
    /// not well-formed XML, and checks every numeric attribute is compact.
    @discardableResult
    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> ParsedSVG {
        let result = ParsedSVG()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = result
        let ok = parser.parse()
        XCTAssertTrue(ok, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")", file: file, line: line)
        XCTAssertEqual(result.elements.first?.name, "svg", file: file, line: line)
        let numeric: Set<String> = ["x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy", "r",
                                    "font-size", "stroke-width"]
        for element in result.elements {
            for (key, value) in element.attributes where numeric.contains(key) {
                XCTAssertTrue(Self.isCompactNumber(value), "\(element.name) \(key)=\"\(value)\"", file: file, line: line)
            }
            if let points = element.attributes["points"] {
                for pair in points.split(separator: " ") {
                    for v in pair.split(separator: ",") {
                        XCTAssertTrue(Self.isCompactNumber(String(v)), "point \(pair)", file: file, line: line)
                    }
                }
            }
        }
        return result
    }

    /// "-12.34"-like: optional minus, digits, at most two decimals, no exponent.
    static func isCompactNumber(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first else { return false }
        let digits = whole.hasPrefix("-") ? whole.dropFirst() : whole[...]
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return false }
        if parts.count == 2 {
            return (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isNumber) && parts[1].last != "0"
        }
        return true
    }

    /// A deterministic generator so test pictures never change.
    struct LCG {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    /// A plausible copy-task recording: `length` random 8-bit vectors and a
    /// delimiter, outputs close to the targets, a write head sweeping down
    /// memory while reading input and a read head retracing it afterwards.
    static func copyTaskPicture(length: Int = 20, locations: Int = 128, memoryWidth: Int = 20,
                                title: String = "Copy task, length 20") -> SequencePicture {
        var rng = LCG(state: 42)
        let steps = 2 * length + 1
        var inputs = Matrix(rows: 9, columns: steps, label: "")
        var targets = Matrix(rows: 8, columns: steps)
        var outputs = Matrix(rows: 8, columns: steps)
        for t in 0..<length {
            for bit in 0..<8 {
                let v: Float = rng.next() < 0.5 ? 1 : 0
                inputs[bit, t] = v
                targets[bit, length + 1 + t] = v
                let noise = Float(rng.next() * 0.3)
                outputs[bit, length + 1 + t] = v == 1 ? 1 - noise : noise
            }
        }
        inputs[8, length] = 1
        for t in 0...length { for bit in 0..<8 { outputs[bit, t] = Float(rng.next() * 0.05) } }
        var write = Matrix(rows: locations, columns: steps)
        var read = Matrix(rows: locations, columns: steps)
        let start = 37
        for t in 0..<steps {
            let w = (start + min(t, length)) % locations
            write[w, t] = 0.85
            write[(w + 1) % locations, t] = 0.1
            write[(w + locations - 1) % locations, t] = 0.05
            let r = t <= length ? (start + 5 * t) % locations : (start + t - length - 1) % locations
            read[r, t] = 0.9
            read[(r + 1) % locations, t] = 0.1
        }
        var memory = Matrix(rows: locations, columns: memoryWidth)
        for i in 0..<memory.values.count { memory.values[i] = Float(rng.next() * 0.2 - 0.1) }
        for t in 0..<length {
            for j in 0..<memoryWidth { memory[(start + t) % locations, j] = Float(rng.next() * 2 - 1) }
        }
        return SequencePicture(title: title, inputs: inputs, targets: targets, outputs: outputs,
                               writeWeightings: [write], readWeightings: [read], memory: memory)
    }

    // MARK: SVG document

    func testNumbersAreCompactAndDeterministic() {
        XCTAssertEqual(SVGDocument.number(1e-5), "0")
        XCTAssertEqual(SVGDocument.number(-1e-5), "0")
        XCTAssertEqual(SVGDocument.number(3), "3")
        XCTAssertEqual(SVGDocument.number(2.5), "2.5")
        XCTAssertEqual(SVGDocument.number(-2.456), "-2.46")
        XCTAssertEqual(SVGDocument.number(0.1 + 0.2), "0.3")
        XCTAssertEqual(SVGDocument.number(1234567.891), "1234567.89")
        XCTAssertEqual(SVGDocument.number(0.07), "0.07")
        XCTAssertEqual(SVGDocument.number(.nan), "0")
        XCTAssertEqual(SVGDocument.number(.infinity), "0")
        XCTAssertTrue(Self.isCompactNumber(SVGDocument.number(1e300)))
        XCTAssertTrue(Self.isCompactNumber(SVGDocument.number(-1e300)))
    }

    func testEscapingOfTextAndAttributes() {
        let nasty = "a<b & \"c\" 'd' > e\u{1}"
        var doc = SVGDocument(width: 100, height: 50, title: nasty)
        doc.text(nasty, x: 1, y: 2)
        doc.element("rect", [("x", "0"), ("y", "0"), ("width", "1"), ("height", "1"), ("fill", nasty)])
        let svg = doc.rendered()
        XCTAssertTrue(svg.contains("a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt; e"))
        XCTAssertFalse(svg.contains("\u{1}"))
        let parsed = parse(svg)
        XCTAssertEqual(parsed.texts.filter { $0 == "a<b & \"c\" 'd' > e" }.count, 2)
        XCTAssertEqual(parsed.elements.last?.attributes["fill"], "a<b & \"c\" 'd' > e")
    }

    func testDocumentHasWhiteBackgroundAndSansSerifFont() {
        var doc = SVGDocument(width: 10.5, height: 20)
        doc.group(cssClass: "g") { $0.line(x1: 0, y1: 0, x2: 1, y2: 1) }
        let parsed = parse(doc.rendered())
        let root = parsed.elements[0]
        XCTAssertEqual(root.attributes["width"], "10.5")
        XCTAssertTrue(root.attributes["font-family"]?.hasSuffix("sans-serif") ?? false)
        let background = parsed.elements.first { $0.name == "rect" }
        XCTAssertEqual(background?.attributes["fill"], "#ffffff")
        XCTAssertEqual(parsed.elements("line", inGroup: "g").count, 1)
    }

    // MARK: Colour scale

    func testColorScaleEndpointsAreAnchorColours() {
        let scale = ColorScale.viridis
        XCTAssertEqual(scale.hex(for: 0, in: 0...1), scale.anchors.first!.hex)
        XCTAssertEqual(scale.hex(for: 1, in: 0...1), scale.anchors.last!.hex)
        XCTAssertEqual(scale.hex(for: -3, in: -3...7), "#440154")
        XCTAssertEqual(scale.hex(for: 7, in: -3...7), "#fde725")
        XCTAssertEqual(scale.hex(for: 0.5, in: 0...1), scale.anchors[4].hex)
        // Clamped outside the range, ±∞ included.
        XCTAssertEqual(scale.hex(for: -10, in: 0...1), "#440154")
        XCTAssertEqual(scale.hex(for: .infinity, in: 0...1), "#fde725")
        XCTAssertEqual(scale.hex(for: -.infinity, in: 0...1), "#440154")
        // NaN is distinct from every colour of the map.
        let nan = scale.color(for: .nan, in: 0...1)
        XCTAssertEqual(nan, scale.missing)
        for i in 0...100 {
            XCTAssertNotEqual(scale.color(atFraction: Double(i) / 100), nan)
        }
        // Interpolation halfway between two anchors.
        let grey = ColorScale(anchors: [RGBColor(hex: "#000000")!, RGBColor(hex: "#FFFFFF")!],
                              missing: RGBColor(red: 255, green: 0, blue: 0))
        XCTAssertEqual(grey.hex(for: 0.5, in: 0...1), "#808080")
        XCTAssertEqual(grey.hex(for: 5, in: 5...5), "#808080")
        XCTAssertNil(RGBColor(hex: "#12345"))
        XCTAssertNil(RGBColor(hex: "#12345g"))
    }

    // MARK: Heat map

    func testHeatMapHasOneCellPerValue() {
        let rows = 7, columns = 13
        var values = (0..<rows * columns).map { Float($0) / 10 }
        values[5] = .nan
        values[6] = .infinity
        let map = HeatMap(Matrix(rows: rows, columns: columns, values: values, label: "Row"),
                          title: "Heat <map>", xLabel: "Column")
        let svg = map.svg()
        let parsed = parse(svg)
        let cells = parsed.elements("rect", inGroup: HeatMap.cellsClass)
        XCTAssertEqual(cells.count, rows * columns)
        XCTAssertTrue(cells.contains { $0.attributes["fill"] == ColorScale.viridis.missing.hex })
        XCTAssertTrue(parsed.texts.contains("Heat <map>"))
        XCTAssertTrue(parsed.texts.contains("Column"))
        XCTAssertTrue(parsed.texts.contains("Row"))
        XCTAssertTrue(parsed.texts.contains("NaN"), "a NaN cell is explained next to the title")
        // Colour bar labelled with the data's min and max.
        let bar = parsed.elements("text", inGroup: HeatMap.colorBarClass)
        XCTAssertFalse(bar.isEmpty)
        XCTAssertTrue(parsed.texts.contains("0"))
        XCTAssertTrue(parsed.texts.contains("9"))
        XCTAssertFalse(svg.contains("nan"))
    }

    /// With `mergesEqualCells` each row's runs of one colour become one
    /// rectangle, and cutting the rectangles back at the cell edges gives
    /// exactly the cells of the unmerged picture.
    func testMergedCellsDrawTheSamePicture() {
        let rows = 4, columns = 9
        // Runs of equal values, a NaN and an infinity inside a row.
        let values: [Float] = [0, 0, 0, 1, 1, 0, 0, 0, 0,
                               2, 2, 2, 2, 2, 2, 2, 2, 2,
                               0, .nan, .nan, 3, .infinity, 3, 3, 1, 0,
                               0, 1, 2, 3, 0, 1, 2, 3, 0]
        var map = HeatMap(Matrix(rows: rows, columns: columns, values: values), title: "runs")
        let cells = parse(map.svg()).elements("rect", inGroup: HeatMap.cellsClass)
        map.mergesEqualCells = true
        let merged = parse(map.svg()).elements("rect", inGroup: HeatMap.cellsClass)
        XCTAssertEqual(cells.count, rows * columns)
        // One rectangle per run: per row, one plus the number of colour changes.
        let fills = cells.map { $0.attributes["fill"]! }
        let runs = (0..<rows).map { r in
            1 + (1..<columns).filter { fills[r * columns + $0] != fills[r * columns + $0 - 1] }.count
        }
        XCTAssertEqual(merged.count, runs.reduce(0, +))
        XCTAssertEqual(runs[1], 1)
        XCTAssertEqual(runs[3], columns)
        func number(_ e: ParsedSVG.Element, _ key: String) -> Double { Double(e.attributes[key]!)! }
        for cell in cells {
            let x = number(cell, "x") + number(cell, "width") / 2, y = number(cell, "y")
            let covering = merged.filter {
                number($0, "y") == y && number($0, "x") <= x && x < number($0, "x") + number($0, "width")
            }
            XCTAssertEqual(covering.count, 1, "cell at \(x), \(y)")
            XCTAssertEqual(covering.first?.attributes["fill"], cell.attributes["fill"])
            XCTAssertEqual(covering.first?.attributes["height"], cell.attributes["height"])
        }
        let spans = merged.map { number($0, "width") }.reduce(0, +)
        let widths = cells.map { number($0, "width") }.reduce(0, +)
        XCTAssertEqual(spans, widths, accuracy: 1e-6, "the runs cover the rows exactly, without overlap")
    }

    func testHeatMapOfConstantAndEmptyMatrices() {
        let constant = HeatMap(Matrix(rows: 2, columns: 3, values: Array(repeating: 4, count: 6)), title: "c")
        XCTAssertLessThan(constant.valueRange.lowerBound, constant.valueRange.upperBound)
        XCTAssertEqual(parse(constant.svg()).elements("rect", inGroup: HeatMap.cellsClass).count, 6)
        let empty = HeatMap(Matrix(rows: 0, columns: 5), title: "empty")
        XCTAssertEqual(parse(empty.svg()).elements("rect", inGroup: HeatMap.cellsClass).count, 0)
    }

    // MARK: Sequence picture

    func testSequencePictureHasEveryPanel() {
        let picture = Self.copyTaskPicture(title: "Copy & paste <test>")
        let svg = picture.svg()
        let parsed = parse(svg)
        for text in ["Copy & paste <test>", "Inputs", "Targets", "Outputs", "Write head 1 weighting",
                     "Read head 1 weighting", "Memory at the end", "Time step", "Location", "Channel"] {
            XCTAssertTrue(parsed.texts.contains(text), "missing \(text)")
        }
        let cells = parsed.elements("rect", inGroup: HeatMap.cellsClass)
        XCTAssertEqual(cells.count, 9 * 41 + 8 * 41 + 8 * 41 + 128 * 41 * 2 + 128 * 20)
        XCTAssertEqual(parsed.elements.filter { $0.attributes["class"] == HeatMap.colorBarClass }.count, 6)
    }

    func testLongSequencesStillFitAReasonablePicture() {
        var picture = Self.copyTaskPicture(length: 20)
        // 250 steps, 128 locations.
        func widen(_ m: Matrix) -> Matrix {
            var w = Matrix(rows: m.rows, columns: 250)
            for r in 0..<m.rows { for c in 0..<250 { w[r, c] = m[r, c % m.columns] } }
            return w
        }
        picture.inputs = widen(picture.inputs)
        picture.targets = widen(picture.targets)
        picture.outputs = widen(picture.outputs)
        picture.writeWeightings = picture.writeWeightings.map(widen)
        picture.readWeightings = picture.readWeightings.map(widen)
        let parsed = parse(picture.svg())
        let width = Double(parsed.elements[0].attributes["width"]!)!
        let height = Double(parsed.elements[0].attributes["height"]!)!
        XCTAssertLessThan(width, 1400)
        XCTAssertLessThan(height, 1400)
        XCTAssertGreaterThan(width, 400)
        let cells = parsed.elements("rect", inGroup: HeatMap.cellsClass)
        XCTAssertEqual(cells.count, (9 + 8 + 8 + 128 + 128) * 250 + 128 * 20)
        // Cells are at least the minimum size.
        XCTAssertTrue(cells.allSatisfy { Double($0.attributes["width"]!)! >= 1.99 })
    }

    func testMissingPanelsAreLeftOut() {
        let picture = SequencePicture(title: "only inputs",
                                      inputs: Matrix(rows: 3, columns: 4),
                                      targets: Matrix(rows: 0, columns: 0),
                                      outputs: Matrix(rows: 0, columns: 0))
        let parsed = parse(picture.svg())
        XCTAssertTrue(parsed.texts.contains("Inputs"))
        XCTAssertFalse(parsed.texts.contains("Targets"))
        XCTAssertEqual(parsed.elements("rect", inGroup: HeatMap.cellsClass).count, 12)
        let nothing = SequencePicture(title: "", inputs: Matrix(rows: 0, columns: 0),
                                      targets: Matrix(rows: 0, columns: 0), outputs: Matrix(rows: 0, columns: 0))
        parse(nothing.svg())
    }

    func testMatrixFromStepsIsTransposed() {
        let m = Matrix(steps: [[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(m.rows, 3)
        XCTAssertEqual(m.columns, 2)
        XCTAssertEqual(m[0, 1], 4)
        XCTAssertEqual(m[2, 0], 3)
        XCTAssertEqual(Matrix(stepMajor: [1, 2, 3, 4, 5, 6], steps: 2, width: 3), m)
    }

    // MARK: Ticks

    func testNiceTicksAre125StepsCoveringTheRange() {
        let ranges: [(Double, Double)] = [(0, 1), (0, 0.93), (-3.2, 17.9), (0.0012, 0.0047), (1, 1e6),
                                          (123, 125), (-1e-7, 2e-7), (5, 5), (0, 2_000_000), (-50, -3)]
        for (lo, hi) in ranges {
            for intervals in [2, 5, 8] {
                let ticks = Ticks.linear(from: lo, to: hi, intervals: intervals)
                XCTAssertGreaterThanOrEqual(ticks.count, 2)
                XCTAssertLessThanOrEqual(ticks.first!, lo)
                XCTAssertGreaterThanOrEqual(ticks.last!, hi)
                XCTAssertLessThanOrEqual(ticks.count - 1, intervals + 1, "\(lo)…\(hi): \(ticks)")
                let step = ticks[1] - ticks[0]
                for (a, b) in zip(ticks, ticks.dropFirst()) {
                    XCTAssertEqual(b - a, step, accuracy: step * 1e-9)
                }
                let mantissa = step / pow(10, floor(log10(step)))
                XCTAssertTrue([1.0, 2, 5].contains { abs($0 - mantissa) < 1e-9 }, "step \(step)")
            }
        }
        XCTAssertEqual(Ticks.linear(from: 0, to: 0.93, intervals: 5), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(Ticks.labels(for: [0, 20000, 40000], step: 20000), ["0", "20k", "40k"])
        XCTAssertEqual(Ticks.labels(for: [0, 0.5, 1, 1.5], step: 0.5), ["0", "0.5", "1", "1.5"])
        XCTAssertEqual(Ticks.labels(for: [0, 2_500_000, 5_000_000], step: 2_500_000), ["0", "2.5M", "5M"])
    }

    func testIndexStepKeepsLabelsApart() {
        XCTAssertEqual(Ticks.indexStep(count: 41, cellSize: 15, minSpacing: 30), 2)
        XCTAssertEqual(Ticks.indexStep(count: 250, cellSize: 2, minSpacing: 30), 20)
        XCTAssertEqual(Ticks.indexStep(count: 128, cellSize: 2, minSpacing: 22), 20)
        XCTAssertEqual(Ticks.indexStep(count: 3, cellSize: 1, minSpacing: 30), 5)
    }

    func testLogTicksAndMath() {
        let t = Ticks.logarithmic(from: 1e-3, to: 1e2)
        XCTAssertEqual(t.major, [1e-3, 1e-2, 1e-1, 1, 10, 100])
        XCTAssertEqual(t.lowerExponent, -3)
        XCTAssertEqual(t.upperExponent, 2)
        XCTAssertEqual(t.major.map { Ticks.format($0) }, ["0.001", "0.01", "0.1", "1", "10", "100"])
        let short = Ticks.logarithmic(from: 0.3, to: 0.9)
        XCTAssertEqual(short.major, [0.1, 0.2, 0.5, 1])
        let wide = Ticks.logarithmic(from: 1e-12, to: 1e6, maxMajor: 7)
        XCTAssertLessThanOrEqual(wide.major.count, 7)
        XCTAssertLessThanOrEqual(wide.major.first!, 1e-12)
        XCTAssertGreaterThanOrEqual(wide.major.last!, 1e6)
        for x in [1e-300, 1e-7, 0.003, 0.5, 1, 2, 9.99, 10, 12345.678, 1e200] {
            XCTAssertEqual(Ticks.log10(x), Foundation.log10(x), accuracy: 1e-12)
        }
        XCTAssertEqual(Ticks.format(1.5e-7), "1.5e-7")
        XCTAssertEqual(Ticks.format(9.9996e-5), "1e-4")
        XCTAssertEqual(Ticks.format(0.123456), "0.123")
        XCTAssertEqual(Ticks.format(-12.5), "-12.5")
        XCTAssertEqual(Ticks.format(2.5e7), "2.5e7")
    }

    // MARK: Learning curve

    func testLearningCurveLinear() {
        let curve = LearningCurve(title: "Copy <LSTM> & \"NTM\"", yLabel: "cost per sequence (bits)", series: [
            .init(name: "NTM", points: (0...50).map { (x: Double($0) * 2000, y: 80 * exp(-Double($0) / 8)) }),
            .init(name: "LSTM", points: (0...50).map { (x: Double($0) * 2000, y: 80 * exp(-Double($0) / 30)) }),
        ])
        let svg = curve.svg()
        let parsed = parse(svg)
        for text in ["Copy <LSTM> & \"NTM\"", "sequences seen", "cost per sequence (bits)", "NTM", "LSTM", "100k"] {
            XCTAssertTrue(parsed.texts.contains(text), "missing \(text)")
        }
        XCTAssertEqual(parsed.elements("polyline", inGroup: LearningCurve.seriesClass).count, 2)
        XCTAssertEqual(parsed.elements("line", inGroup: LearningCurve.legendClass).count, 2)
    }

    func testLearningCurveLogScaleSpanningFiveDecades() {
        let points = (0...100).map { i in (x: Double(i) * 1000, y: 100 * pow(1e-5, Double(i) / 100)) }
        let curve = LearningCurve(title: "log", yLabel: "cost", series: [.init(name: "run", points: points)], logY: true)
        let parsed = parse(curve.svg())
        for label in ["0.001", "0.01", "0.1", "1", "10", "100"] {
            XCTAssertTrue(parsed.texts.contains(label), "missing y tick \(label)")
        }
        XCTAssertTrue(parsed.texts.contains("cost, log scale"))
        let line = parsed.elements("polyline", inGroup: LearningCurve.seriesClass)
        XCTAssertEqual(line.count, 1)
        // Falling cost: y coordinates increase (downwards) monotonically.
        let ys = line[0].attributes["points"]!.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        XCTAssertEqual(ys.count, 101)
        XCTAssertEqual(ys, ys.sorted())
    }

    func testNonFinitePointsAreSkipped() {
        let points: [(x: Double, y: Double)] = [(0, 1), (1, 0.5), (2, .nan), (3, 0.25), (4, 0.2),
                                                (.infinity, 3), (6, -.infinity), (7, 0.1), (8, 0)]
        for logY in [false, true] {
            let curve = LearningCurve(title: "bad data", series: [.init(name: "a", points: points)], logY: logY)
            let svg = curve.svg()
            let parsed = parse(svg)
            XCTAssertFalse(svg.lowercased().contains("nan"))
            XCTAssertFalse(svg.contains("inf"))
            // Runs: (0,1),(1,.5) | (3,.25),(4,.2) | (7,.1),(8,0) — on a log axis y = 0 is dropped, leaving a dot.
            XCTAssertEqual(parsed.elements("polyline", inGroup: LearningCurve.seriesClass).count, logY ? 2 : 3)
            XCTAssertEqual(parsed.elements("circle", inGroup: LearningCurve.seriesClass).count, logY ? 1 : 0)
        }
    }

    func testEmptyAndSinglePointCurves() {
        for series in [[], [LearningCurve.Series(name: "empty", points: [])],
                       [LearningCurve.Series(name: "nan", points: [(x: .nan, y: .nan)])]] {
            for logY in [false, true] {
                let parsed = parse(LearningCurve(title: "none", series: series, logY: logY).svg())
                XCTAssertTrue(parsed.texts.contains("no data"))
            }
        }
        for logY in [false, true] {
            let single = LearningCurve(title: "one", series: [.init(name: "s", points: [(x: 1000, y: 0.5)])], logY: logY)
            let parsed = parse(single.svg())
            XCTAssertEqual(parsed.elements("circle", inGroup: LearningCurve.seriesClass).count, 1)
            XCTAssertFalse(parsed.texts.contains("no data"))
        }
    }

    // MARK: Examples

    /// Writes example pictures when NTMPLOT_EXAMPLES names a directory, so
    /// that a person can look at them (e.g. after converting to PNG).
    func testWriteExamplesWhenAsked() throws {
        guard let directory = ProcessInfo.processInfo.environment["NTMPLOT_EXAMPLES"] else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let picture = Self.copyTaskPicture()
        try picture.svg().write(toFile: directory + "/copy-sequence.svg", atomically: true, encoding: .utf8)
        var long = Self.copyTaskPicture(length: 125, title: "Copy task, length 125, two read heads")
        long.readWeightings.append(long.writeWeightings[0])
        long.outputs.values[100] = .nan
        try long.svg().write(toFile: directory + "/copy-sequence-long.svg", atomically: true, encoding: .utf8)
        let map = HeatMap(Matrix(rows: 3, columns: 5, values: [0, 1, 2, .nan, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
                                 label: "Row"), title: "A small heat map", xLabel: "Column")
        try map.svg().write(toFile: directory + "/heatmap.svg", atomically: true, encoding: .utf8)

        var rng = LCG(state: 7)
        func run(_ rate: Double, _ floor: Double) -> [(x: Double, y: Double)] {
            (0...200).map { i in
                let x = Double(i) * 5000
                return (x: x, y: (floor + 80 * exp(-x * rate)) * (1 + 0.3 * (rng.next() - 0.5)))
            }
        }
        let curve = LearningCurve(title: "Copy task learning curves", yLabel: "cost per sequence (bits)",
                                  series: [.init(name: "NTM with LSTM controller", points: run(1 / 60_000, 0.001)),
                                           .init(name: "NTM with feedforward controller", points: run(1 / 120_000, 0.01)),
                                           .init(name: "LSTM", points: run(1 / 400_000, 8))],
                                  logY: true)
        try curve.svg().write(toFile: directory + "/learning-curve.svg", atomically: true, encoding: .utf8)
        var linear = curve
        linear.logY = false
        linear.title = "Copy task learning curves (linear)"
        try linear.svg().write(toFile: directory + "/learning-curve-linear.svg", atomically: true, encoding: .utf8)
    }
}
