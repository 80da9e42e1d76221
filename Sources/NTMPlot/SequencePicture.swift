// The picture of one sequence going through the machine, laid out like the
// copy-task figures of the Neural Turing Machines paper (Graves et al.
// 2014): panels stacked on a shared time axis, inputs and targets/outputs on
// top, then where each head wrote and read, and the memory it left behind.

/// Everything recorded while a network processed one sequence, and its
/// picture as SVG.
///
/// Every time-indexed matrix has one column per time step (see `Matrix`):
/// rows are channels for inputs, targets and outputs, vector elements for
/// add and read vectors, and memory locations for weightings. All of them
/// share one horizontal scale, so a step lines up across every panel. The
/// final memory (rows = locations, columns = elements) is drawn to the
/// right of the first weighting panel, row for row, so a reader can see
/// what ended up where the heads wrote.
public struct SequencePicture: Sendable {
    public var title: String
    public var inputs: Matrix
    public var targets: Matrix
    public var outputs: Matrix
    /// One per write head, rows = memory locations.
    public var writeWeightings: [Matrix]
    /// One per read head, rows = memory locations.
    public var readWeightings: [Matrix]
    /// Optional: the add vector of each write head over time.
    public var adds: [Matrix]
    /// Optional: the vector each read head returned over time.
    public var reads: [Matrix]
    /// Optional: memory after the last step, rows = locations.
    public var memory: Matrix?
    public var colorScale: ColorScale
    /// Passed to every panel (`HeatMap.mergesEqualCells`): smaller files,
    /// the same picture.
    public var mergesEqualCells = false

    /// Matrices with no rows or no columns are left out of the picture, so
    /// a caller without targets (say) can pass `Matrix(rows: 0, columns: 0)`.
    public init(title: String, inputs: Matrix, targets: Matrix, outputs: Matrix,
                writeWeightings: [Matrix] = [], readWeightings: [Matrix] = [],
                adds: [Matrix] = [], reads: [Matrix] = [], memory: Matrix? = nil,
                colorScale: ColorScale = .viridis) {
        self.title = title
        self.inputs = inputs
        self.targets = targets
        self.outputs = outputs
        self.writeWeightings = writeWeightings
        self.readWeightings = readWeightings
        self.adds = adds
        self.reads = reads
        self.memory = memory
        self.colorScale = colorScale
    }

    /// The panels that have data, top to bottom, with their titles and
    /// default row labels. Bits, probabilities and weightings live in 0…1,
    /// so their colour scale is fixed there (widened only if the data goes
    /// beyond), which makes panels comparable; vectors and memory contents
    /// have no natural range and use their own.
    public var panels: [HeatMap] {
        var list: [HeatMap] = []
        func add(_ m: Matrix, _ title: String, _ rowLabel: String, unitRange: Bool) {
            guard !m.isEmpty else { return }
            var range: ClosedRange<Double>? = nil
            if unitRange {
                let data = m.finiteRange ?? 0...1
                range = min(0, data.lowerBound)...max(1, data.upperBound)
            }
            var panel = HeatMap(m, title: title, yLabel: m.label.isEmpty ? rowLabel : m.label,
                                range: range, colorScale: colorScale)
            panel.mergesEqualCells = mergesEqualCells
            list.append(panel)
        }
        add(inputs, "Inputs", "Channel", unitRange: true)
        add(targets, "Targets", "Channel", unitRange: true)
        add(outputs, "Outputs", "Channel", unitRange: true)
        for (i, m) in adds.enumerated() { add(m, "Write head \(i + 1) add vector", "Element", unitRange: false) }
        for (i, m) in reads.enumerated() { add(m, "Read head \(i + 1) read vector", "Element", unitRange: false) }
        for (i, m) in writeWeightings.enumerated() {
            add(m, "Write head \(i + 1) weighting", "Location", unitRange: true)
        }
        for (i, m) in readWeightings.enumerated() {
            add(m, "Read head \(i + 1) weighting", "Location", unitRange: true)
        }
        return list
    }

    enum Layout {
        static let padding = 12.0
        static let titleBand = 36.0
        static let panelGap = 8.0
        /// Time cells: about 640 units in all, each 2…16 wide.
        static let timeSpan = 640.0, minTimeCell = 2.0, maxTimeCell = 16.0
        /// Row cells: about 200 units per panel, each 2…12 high.
        static let rowSpan = 200.0, minRowCell = 2.0, maxRowCell = 12.0
        /// Memory columns: about 160 units, each 4…12 wide.
        static let memorySpan = 160.0, minMemoryCell = 4.0, maxMemoryCell = 12.0
        static let memoryGap = 16.0
    }

    /// Row height for a panel of `rows` rows, at least tall enough for a
    /// readable colour bar.
    static func rowHeight(_ rows: Int) -> Double {
        var h = HeatMap.cellSize(count: rows, span: Layout.rowSpan,
                                 minimum: Layout.minRowCell, maximum: Layout.maxRowCell)
        if Double(rows) * h < HeatMap.minimumPlotHeight {
            h = (HeatMap.minimumPlotHeight / Double(max(rows, 1))).rounded(.up)
        }
        return h
    }

    /// The picture as an SVG document.
    public func svg() -> String {
        var timePanels = panels
        if !timePanels.isEmpty { timePanels[timePanels.count - 1].xLabel = "Time step" }
        let steps = timePanels.map(\.matrix.columns).max() ?? 0
        let cellWidth = HeatMap.cellSize(count: steps, span: Layout.timeSpan,
                                         minimum: Layout.minTimeCell, maximum: Layout.maxTimeCell)
        // Every time panel starts at the same x, so time steps line up.
        let left = Layout.padding + (timePanels.map(\.margins.left).max() ?? 0)
        let right = timePanels.map(\.margins.right).max() ?? 0

        // Weighting panels come last; memory goes beside the first of them.
        let weightingCount = (writeWeightings + readWeightings).filter { !$0.isEmpty }.count
        let firstWeightingIndex = weightingCount > 0 ? timePanels.count - weightingCount : -1
        var placed: [(HeatMap, Rect)] = []
        var y = Layout.titleBand
        var firstWeighting: Rect? = nil
        for panel in timePanels {
            let m = panel.margins
            let area = Rect(x: left, y: y + m.top, width: Double(panel.matrix.columns) * cellWidth,
                            height: Double(panel.matrix.rows) * Self.rowHeight(panel.matrix.rows))
            placed.append((panel, area))
            if placed.count == firstWeightingIndex + 1 { firstWeighting = area }
            y = area.maxY + m.bottom + Layout.panelGap
        }
        var width = left + Double(steps) * cellWidth + right
        var height = y

        if let memory, !memory.isEmpty {
            var panel = HeatMap(memory, title: "Memory at the end", xLabel: "Element",
                                yLabel: memory.label.isEmpty ? "Location" : memory.label,
                                colorScale: colorScale)
            panel.mergesEqualCells = mergesEqualCells
            let m = panel.margins
            let size = (width: Double(memory.columns) * HeatMap.cellSize(
                            count: memory.columns, span: Layout.memorySpan,
                            minimum: Layout.minMemoryCell, maximum: Layout.maxMemoryCell),
                        height: Double(memory.rows) * Self.rowHeight(memory.rows))
            let area: Rect
            if let beside = firstWeighting {
                area = Rect(x: width + Layout.memoryGap + m.left, y: beside.y, width: size.width, height: size.height)
            } else {
                area = Rect(x: left, y: y + m.top, width: size.width, height: size.height)
            }
            placed.append((panel, area))
            width = max(width, area.maxX + m.right)
            height = max(height, area.maxY + m.bottom + Layout.panelGap)
        }

        width = max(width, Layout.padding * 2 + Style.textWidth(title, size: Style.titleSize)) + Layout.padding
        height += Layout.padding - Layout.panelGap
        var doc = SVGDocument(width: width.rounded(.up), height: height.rounded(.up), title: title)
        if !title.isEmpty {
            doc.text(title, x: Layout.padding, y: Layout.padding + Style.titleSize,
                     size: Style.titleSize, bold: true, fill: Style.text)
        }
        if placed.isEmpty {
            doc.text("no data", x: Layout.padding, y: Layout.titleBand + 16, size: Style.labelSize, fill: Style.muted)
        }
        for (panel, area) in placed {
            panel.draw(into: &doc, cells: area)
        }
        return doc.rendered()
    }
}
