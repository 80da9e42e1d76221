import XCTest
@testable import NTM

/// Each stage of a step against values worked out by hand (the numbers in
/// the comments; six or more significant digits).
final class StageTests: XCTestCase {
    /// One head's addressing over a hand-made memory, in `Double`.
    struct HeadFixture {
        let config: ModelConfig
        let steps: StepLayout
        let addressing: Addressing<Double>
        var record: [Double]
        var raw: [Double]
        var memory: [Double]
        var norms: [Double]

        /// `memory` is given row-major (one location per row, as written in
        /// the tests) and stored column-major, as the model keeps it.
        init(rows: Int, width: Int, shift: Int, memory: [Double]) {
            config = ModelConfig(inputSize: 1, outputSize: 1, controller: .feedforward, controllerLayers: [1],
                                 readHeads: 1, writeHeads: 1, memoryRows: rows, memoryWidth: width, shiftRange: shift)
            steps = StepLayout(config)
            addressing = Addressing(rows: rows, width: width, shiftRange: shift)
            record = [Double](repeating: .nan, count: steps.size)
            raw = [Double](repeating: 0, count: config.readHeadRawSize)
            self.memory = StageTests.columnMajor(memory, rows: rows, width: width)
            norms = [Double](repeating: 0, count: rows)
            MemoryAccess<Double>(rows: rows, width: width).rowNorms(self.memory, into: &norms)
        }

        var head: StepLayout.Head { steps.heads[1] }   // the read head

        mutating func address(previous: [Double]) -> [Double] {
            let head = self.head
            addressing.forward(raw: raw, memory: memory, rowNorms: norms, previous: previous,
                               record: &record, head: head)
            return field(head.weighting)
        }

        func field(_ offset: Int, _ count: Int? = nil) -> [Double] {
            Array(record[offset..<(offset + (count ?? config.memoryRows))])
        }
    }

    /// A row-major `rows × width` memory in the model's column-major layout.
    static func columnMajor(_ rowMajor: [Double], rows: Int, width: Int) -> [Double] {
        (0..<(rows * width)).map { k in rowMajor[(k % rows) * width + k / rows] }
    }

    func assertClose(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-9,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: tolerance, "\(a) vs \(b)", file: file, line: line) }
    }

    /// Raw value whose softplus is `x`.
    func inverseSoftplus(_ x: Double) -> Double { Foundation.log(Foundation.exp(x) - 1) }

    func testAllStagesOnHandMadeMemory() {
        // Rows [1,0], [0,1], [0,0] (all zero), [1,1]; key [1,0]; β = 2; g = ½;
        // shifts −1, 0, +1 equally likely; γ = 1 + ln 2; previous weighting one-hot at row 2.
        var f = HeadFixture(rows: 4, width: 2, shift: 1, memory: [1, 0, 0, 1, 0, 0, 1, 1])
        f.raw = [1, 0, inverseSoftplus(2), 0, 0, 0, 0, 0]
        let w = f.address(previous: [0, 0, 1, 0])
        let h = f.head
        // K = [1, 0, 0 (zero row: finite, exactly 0), 1/√2]
        assertClose(f.field(h.similarity), [1, 0, 0, 0.70710678118654746], 1e-8)
        // softmax(2K)
        assertClose(f.field(h.content), [0.5472439887753612, 0.0740614217016756, 0.0740614217016756, 0.3046331678212876], 1e-8)
        // ½ w^c + ½ w_{t−1}
        assertClose(f.field(h.gated), [0.2736219943876806, 0.0370307108508378, 0.5370307108508378, 0.1523165839106438], 1e-8)
        // (w^g(i−1) + w^g(i) + w^g(i+1)) / 3, circular
        assertClose(f.field(h.shifted), [0.15432309638305408, 0.28256113869645205, 0.24212600187077313, 0.3209897630497207], 1e-8)
        // w̃^γ / Σ w̃^γ
        assertClose(w, [0.10656400678624518, 0.296735146280268, 0.2284588108145943, 0.3682420361188926], 1e-8)
        XCTAssertEqual(f.record[h.strength], 2, accuracy: 1e-12)
        XCTAssertEqual(f.record[h.gate], 0.5)
        XCTAssertEqual(f.record[h.sharpening], 1 + Foundation.log(2.0), accuracy: 1e-12)
    }

    func testZeroMemoryGivesUniformContentWithoutNaN() {
        var f = HeadFixture(rows: 5, width: 3, shift: 1, memory: [Double](repeating: 0, count: 15))
        f.raw = [0.3, -2, 1, 5, 40, 0, 0, 0, 0]
        let w = f.address(previous: [0.2, 0.2, 0.2, 0.2, 0.2])
        assertClose(f.field(f.head.similarity), [0, 0, 0, 0, 0], 0)
        assertClose(f.field(f.head.content), [0.2, 0.2, 0.2, 0.2, 0.2], 1e-15)
        XCTAssertTrue(w.allSatisfy { $0.isFinite })
    }

    /// Content one-hot at `row` (β huge), g = 1, shift one-hot at `d`, γ = 1:
    /// the weighting is one-hot at `(row + d) mod N`.
    func shiftedOneHot(rows: Int, shiftRange: Int, row: Int, shift d: Int) -> [Double] {
        var memory = [Double](repeating: 0, count: rows * 2)
        for i in 0..<rows { memory[2 * i] = Double(i == row ? 1 : -1); memory[2 * i + 1] = 0.5 }
        var f = HeadFixture(rows: rows, width: 2, shift: shiftRange, memory: memory)
        var raw: [Double] = [1, 0.5, 1000, 40]
        for s in -shiftRange...shiftRange { raw.append(s == d ? 1000 : -1000) }
        raw.append(-1000)   // γ = 1
        f.raw = raw
        return f.address(previous: [Double](repeating: 1 / Double(rows), count: rows))
    }

    func testShiftOfOneHotByEveryAllowedShiftWrapsAround() {
        let rows = 7, range = 2
        for row in [0, 3, rows - 1] {
            for d in -range...range {
                let w = shiftedOneHot(rows: rows, shiftRange: range, row: row, shift: d)
                var expected = [Double](repeating: 0, count: rows)
                expected[((row + d) % rows + rows) % rows] = 1
                assertClose(w, expected, 1e-9)
            }
        }
    }

    func testSharpeningKeepsUniformUniformAndLargeGammaTendsToOneHot() {
        // All rows equal: content, gating and shifting all stay uniform, and
        // so does the sharpened weighting for any γ.
        var f = HeadFixture(rows: 6, width: 2, shift: 1, memory: [Double](repeating: 0.5, count: 12))
        f.raw = [1, -1, 3, 40, 0.3, -0.2, 0.9, 8]
        assertClose(f.address(previous: [Double](repeating: 1.0 / 6, count: 6)), [Double](repeating: 1.0 / 6, count: 6), 1e-12)

        // A weighting with a unique maximum at row 4: γ ≈ 51 makes it one-hot.
        var g = HeadFixture(rows: 6, width: 2, shift: 1, memory: [Double](repeating: 0.5, count: 12))
        g.raw = [1, -1, 3, -40, -1000, 1000, -1000, 50]   // g = 0: keep the previous weighting, no shift
        let w = g.address(previous: [0.1, 0.15, 0.2, 0.1, 0.3, 0.15])
        XCTAssertEqual(w[4], 1, accuracy: 1e-6)
        XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-12)

        // γ = 1 leaves the weighting as it is.
        g.raw[7] = -1000
        assertClose(g.address(previous: [0.1, 0.15, 0.2, 0.1, 0.3, 0.15]), [0.1, 0.15, 0.2, 0.1, 0.3, 0.15], 1e-12)
    }

    func testSharpeningInFloatDoesNotUnderflowToNaN() {
        // γ ≈ 1000 raises w̃ ≈ 1e-3 to 1e-3000: only the log-space form survives.
        let config = ModelConfig(inputSize: 1, outputSize: 1, controller: .feedforward, controllerLayers: [1],
                                 memoryRows: 8, memoryWidth: 2)
        let steps = StepLayout(config)
        var record = [Float](repeating: 0, count: steps.size)
        var raw: [Float] = [1, 0, 0, -40, 0, 0, 0, 1000]
        raw += [Float](repeating: 0, count: config.readHeadRawSize - raw.count)
        let memory = [Float](repeating: 0.5, count: 16), norms = [Float](repeating: Float(0.5 * 2.0.squareRoot()), count: 8)
        let previous: [Float] = [0.001, 0.002, 0.9, 0.001, 0.05, 0.02, 0.02, 0.006]
        Addressing<Float>(rows: 8, width: 2, shiftRange: 1)
            .forward(raw: raw, memory: memory, rowNorms: norms, previous: previous, record: &record, head: steps.heads[0])
        let w = Array(record[steps.heads[0].weighting..<steps.heads[0].weighting + 8])
        XCTAssertTrue(w.allSatisfy { $0.isFinite }, "\(w)")
        XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-5)
    }

    func testEraseAndAddWithTwoWriteHeadsInEitherOrder() {
        // One row [1, 2]. Head A: w = ½, e = [1, ½], a = [1, 0].
        // Head B: w = ¼, e = [½, 1], a = [0, 2].
        // Erase: [1·(1−½)(1−⅛), 2·(1−¼)(1−¼)] = [0.4375, 1.125];
        // add:   + ½[1, 0] + ¼[0, 2] = [0.9375, 1.625].
        let config = ModelConfig(inputSize: 1, outputSize: 1, controller: .feedforward, controllerLayers: [1],
                                 readHeads: 1, writeHeads: 2, memoryRows: 1, memoryWidth: 2, shiftRange: 0)
        let steps = StepLayout(config)
        func written(order: [Int]) -> [Double] {
            var record = [Double](repeating: 0, count: steps.size)
            let values: [(w: Double, e: [Double], a: [Double])] = [(0.5, [1, 0.5], [1, 0]), (0.25, [0.5, 1], [0, 2])]
            for (slot, source) in order.enumerated() {
                let head = steps.heads[slot], v = values[source]
                record[head.weighting] = v.w
                record[head.erase] = v.e[0]; record[head.erase + 1] = v.e[1]
                record[head.add] = v.a[0]; record[head.add + 1] = v.a[1]
            }
            var memory = [Double](repeating: 0, count: 2)
            MemoryAccess<Double>(rows: 1, width: 2)
                .write(previous: [1, 2], record: record, heads: steps.heads[0..<2], into: &memory)
            return memory
        }
        XCTAssertEqual(written(order: [0, 1]), [0.9375, 1.625])
        XCTAssertEqual(written(order: [1, 0]), [0.9375, 1.625])
    }

    func testReadIsWeightedSumOfRows() {
        var read = [Double](repeating: 9, count: 2)
        let memory = Self.columnMajor([1, 2, 3, 4, 5, 6], rows: 3, width: 2)
        MemoryAccess<Double>(rows: 3, width: 2).read(memory, weighting: [0.5, 0.25, 0.25], into: &read)
        XCTAssertEqual(read, [0.5 + 0.75 + 1.25, 1 + 1 + 1.5])
    }

    /// The records keep memory column-major; what a stream shows, like the
    /// `memory0` parameter it starts from, is row-major `N × M`.
    func testStreamShowsLearnedInitialMemoryRowMajor() {
        let config = ModelConfig(inputSize: 2, outputSize: 2, controller: .feedforward, controllerLayers: [3],
                                 memoryRows: 5, memoryWidth: 3, initialMemory: .learned)
        let network = Network<Double>(config: config, seed: 1)
        let memory0 = network.layout.tensor(named: "memory0")!
        XCTAssertEqual(memory0.shape, [5, 3])
        for k in memory0.range { network.parameters[k] = Double(k - memory0.offset) }
        let stream = InferenceStream(network: network)
        stream.reset()
        XCTAssertEqual(stream.memory, (0..<15).map(Double.init))
        // One step writes; a read head's read is then Mᵀw over the rows shown.
        _ = stream.step([1, 0])
        let memory = stream.memory, weighting = Array(stream.weighting(head: 1)), reads = Array(stream.reads)
        for j in 0..<3 {
            let expected = (0..<5).reduce(0.0) { $0 + weighting[$1] * memory[$1 * 3 + j] }
            XCTAssertEqual(reads[j], expected, accuracy: 1e-12)
        }
    }

    func testCrossEntropyAndBitErrorsByHand() {
        // Logits [2, −1, ½] against targets [1, 1, 0]:
        //   Σ log(1 + e^z) − τ z = 2.414266682741302 nats; the last two bits are wrong.
        let config = ModelConfig.lstmBaseline(inputSize: 1, outputSize: 3, layers: [1])
        let network = Network<Double>(config: config, seed: 0)
        let tape = SequenceTape(machine: network.machine)
        tape.reserve(2)
        let steps = network.machine.steps
        // Two steps; the first is masked out.
        tape.forward(network.parameters.baseAddress!, inputs: [0, 0], length: 2)
        for (j, z) in [2.0, -1, 0.5].enumerated() { tape.record(2)[steps.logits + j] = z; tape.record(2)[steps.outputs + j] = 1 / (1 + Foundation.exp(-z)) }
        let result = tape.loss(targets: [1, 1, 1, 1, 1, 0], mask: [0, 1])
        XCTAssertEqual(result.loss, 2.414266682741302, accuracy: 1e-12)
        XCTAssertEqual(result.bitErrors, 2)
        // ∂L/∂z = σ(z) − τ on the masked step, 0 elsewhere.
        XCTAssertEqual(Array(UnsafeBufferPointer(start: tape.dLogits, count: 3)), [0, 0, 0])
        XCTAssertEqual(tape.dLogits[3], 1 / (1 + Foundation.exp(-2)) - 1, accuracy: 1e-15)
        XCTAssertEqual(tape.dLogits[5], 1 / (1 + Foundation.exp(-0.5)), accuracy: 1e-15)
    }
}

/// Our single-precision elementary functions against the C library's
/// double-precision ones over wide ranges.
final class VectorMathTests: XCTestCase {
    func maxRelativeError(_ xs: [Float], _ f: (SIMD8<Float>) -> SIMD8<Float>, _ reference: (Double) -> Double) -> Double {
        var worst = 0.0
        var i = 0
        while i + 8 <= xs.count {
            var v = SIMD8<Float>()
            for k in 0..<8 { v[k] = xs[i + k] }
            let y = f(v)
            for k in 0..<8 {
                let r = reference(Double(v[k]))
                worst = max(worst, abs(Double(y[k]) - r) / max(abs(r), 1e-30))
            }
            i += 8
        }
        return worst
    }

    func grid(_ low: Float, _ high: Float, _ count: Int) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    func testExpLogTanhAreWithinAFewUlp() {
        let expError = maxRelativeError(grid(-87, 87.9, 40_000), Float.exp(lanes:), Foundation.exp)
        let logError = maxRelativeError(grid(1e-30, 10, 20_000) + grid(1e-6, 1e-3, 8000) + [1e-30, 1e-20, 0.5, 1, 2, 1000, 3e38, 1, 1, 1, 1, 1, 1, 1],
                                        Float.log(lanes:), Foundation.log)
        let tanhError = maxRelativeError(grid(-12, 12, 40_000) + grid(-1e-3, 1e-3, 800), Float.tanh(lanes:), Foundation.tanh)
        print("max relative error: exp \(expError), log \(logError), tanh \(tanhError)")
        XCTAssertLessThan(expError, 5e-7)
        XCTAssertLessThan(logError, 5e-7)
        XCTAssertLessThan(tanhError, 5e-7)
    }

    func testExtremesStayFinite() {
        let e = Float.exp(lanes: SIMD8(-1e30, -200, -88, 0, 88, 200, 1e30, -0.0))
        for k in 0..<8 { XCTAssertTrue(e[k].isFinite && e[k] >= 0, "exp lane \(k) = \(e[k])") }
        XCTAssertEqual(e[3], 1)
        let t = Float.tanh(lanes: SIMD8(-1e30, -20, -0.3, 0, 0.3, 20, 1e30, 1e-8))
        XCTAssertEqual(t[0], -1); XCTAssertEqual(t[6], 1); XCTAssertEqual(t[3], 0); XCTAssertEqual(t[7], 1e-8)
    }
}
