import Foundation
import XCTest
@testable import NTM

/// The AVX2 build of the dense kernels must give the baseline build's bits:
/// that is what lets the library choose between them at run time without
/// breaking "same seed, same results".
final class WideKernelTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(KernelDispatch.wideAvailable, "this CPU cannot run the AVX2 kernels")
    }

    override func tearDown() {
        KernelDispatch.useWide = KernelDispatch.wideAvailable
    }

    /// Values spread over several binades, with zeros (the products skip
    /// blocks of zero inputs) and signs mixed, so that any change in the
    /// order of the additions shows up in the low bits.
    func values(_ count: Int, _ random: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in
            if random.uniform(Float.self) < 0.1 { return 0 }
            return random.uniform(Float(-1), 1) * Float(1 << random.integer(in: 0...7))
        }
    }

    /// Sizes around the vector widths (4 and 8 lanes) and the unrolling (4
    /// columns, 4 steps, 16 values per dot product).
    let sizes = [1, 3, 4, 7, 8, 9, 15, 16, 17, 20, 31, 33, 100, 129, 400]

    func testMatrixVectorProductsGiveTheBaselineBits() {
        var random = SeededGenerator(seed: 3)
        for rows in sizes {
            for cols in [1, 4, 5, 9, 29, 129] {
                let w = values(rows * cols, &random), x = values(cols, &random), y0 = values(rows, &random)
                var baseline = y0, wide = y0
                Dense.matVecAccumulate(w, rows: rows, cols: cols, x, &baseline)
                WideKernels.matVecAccumulate(w, rows: rows, cols: cols, x, &wide)
                XCTAssertEqual(baseline.map(\.bitPattern), wide.map(\.bitPattern), "W x, \(rows) × \(cols)")

                let dx0 = values(cols, &random)
                var baselineT = dx0, wideT = dx0
                Dense.matTransposeVecAccumulate(w, rows: rows, cols: cols, y0, &baselineT)
                WideKernels.matTransposeVecAccumulate(w, rows: rows, cols: cols, y0, &wideT)
                XCTAssertEqual(baselineT.map(\.bitPattern), wideT.map(\.bitPattern), "Wᵀ y, \(rows) × \(cols)")
                XCTAssertNotEqual(baselineT, dx0, "the product must have added something")
            }
        }
    }

    func testOuterProductsOverStepsGiveTheBaselineBits() {
        var random = SeededGenerator(seed: 5)
        for rows in sizes {
            for (cols, steps) in [(1, 1), (9, 3), (29, 4), (100, 7), (129, 22)] {
                let aStride = rows + 3, bStride = cols + 2
                let a = values(aStride * steps, &random), b = values(bStride * steps, &random)
                let w0 = values(rows * cols, &random)
                var baseline = w0, wide = w0
                Dense.outerAccumulateSteps(&baseline, rows: rows, cols: cols, a: a, aStride: aStride,
                                           b: b, bStride: bStride, steps: steps)
                WideKernels.outerAccumulateSteps(&wide, rows: rows, cols: cols, a: a, aStride: aStride,
                                                 b: b, bStride: bStride, steps: steps)
                XCTAssertEqual(baseline.map(\.bitPattern), wide.map(\.bitPattern),
                               "Σ a bᵀ, \(rows) × \(cols) over \(steps) steps")
            }
        }
    }

    /// The activations and the softmax's exponentials: arguments across the
    /// range the polynomials split at (|x| = 0.625 for tanh), past the
    /// clamps of `exp` (±88), and lengths with and without a tail.
    func testActivationsGiveTheBaselineBits() {
        var random = SeededGenerator(seed: 9)
        for count in [1, 3, 7, 8, 9, 15, 16, 17, 100, 128, 400] {
            let x: [Float] = (0..<count).map { _ in
                let magnitude: Float = [0.01, 0.6, 0.65, 3, 20, 100][random.integer(in: 0...5)]
                return random.uniform(Float(-1), 1) * magnitude
            }
            /// `f` on `input` with the baseline build, then the AVX2 one.
            func both(_ input: [Float], _ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void)
                -> ([Float], [Float]) {
                var baseline = [Float](repeating: 0, count: count), wide = baseline
                KernelDispatch.useWide = false
                f(input, &baseline)
                KernelDispatch.useWide = true
                f(input, &wide)
                return (baseline, wide)
            }
            let sigmoids = both(x) { sigmoid($0, $1, count: count) }
            XCTAssertEqual(bits(sigmoids.0), bits(sigmoids.1), "σ, \(count) values")
            let tanhs = both(x) { tanh($0, $1, count: count) }
            XCTAssertEqual(bits(tanhs.0), bits(tanhs.1), "tanh, \(count) values")
            let exps = both(x) { expShifted($0, $1, count: count, shift: 2.5) }
            XCTAssertEqual(bits(exps.0), bits(exps.1), "exp, \(count) values")
            XCTAssertEqual(tanhs.0[0], Foundation.tanh(x[0]), accuracy: 1e-6, "tanh must be tanh")
            // Sharpening's logarithms, of weightings in [0, 1] (zeros included).
            let w = x.map { $0.magnitude / 100 }.map { $0 < 1e-4 ? 0 : $0 }
            let logs = both(w) { log($0, $1, count: count, offset: 1e-30) }
            XCTAssertEqual(bits(logs.0), bits(logs.1), "log, \(count) values")
            let scaled = both(w) { scaledLog($0, $1, count: count, offset: 1e-30, scale: 2.7) }
            XCTAssertEqual(bits(scaled.0), bits(scaled.1), "γ log, \(count) values")
        }
    }

    /// The AVX2 activations are a C transcription of `LaneMath`'s polynomials:
    /// a dense sweep over every branch (exp's clamps at −87.3 and 88, tanh's
    /// switch at ±0.625, log's mantissa split at √½ and subnormal inputs)
    /// and the special values, so that a constant or an operation out of
    /// order anywhere shows up.
    func testActivationsGiveTheBaselineBitsOnASweep() {
        var x: [Float] = (0..<40_001).map { Float($0 - 20_000) * 0.005 }          // [−100, 100]
        x += (0..<2_000).map { Float($0 - 1_000) * 0.001 }                       // around 0 and ±0.625
        x += [0, -0, .infinity, -.infinity, .leastNonzeroMagnitude, .leastNormalMagnitude,
              .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0.625, -0.625, 0.70710677, 1.4142135]
        let positive = x.map { $0.magnitude } + (0..<2_000).map { Float.leastNormalMagnitude * Float($0) / 1000 }
        func both(_ input: [Float], _ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)
            -> ([UInt32], [UInt32]) {
            var baseline = [Float](repeating: 0, count: input.count), wide = baseline
            KernelDispatch.useWide = false
            f(input, &baseline, input.count)
            KernelDispatch.useWide = true
            f(input, &wide, input.count)
            return (bits(baseline), bits(wide))
        }
        var result = both(x) { sigmoid($0, $1, count: $2) }
        XCTAssertEqual(result.0, result.1, "σ")
        result = both(x) { tanh($0, $1, count: $2) }
        XCTAssertEqual(result.0, result.1, "tanh")
        result = both(x) { expShifted($0, $1, count: $2, shift: 0) }
        XCTAssertEqual(result.0, result.1, "exp")
        result = both(positive) { log($0, $1, count: $2, offset: 0) }
        XCTAssertEqual(result.0, result.1, "log")
        result = both(positive) { scaledLog($0, $1, count: $2, offset: 1e-30, scale: -3.5) }
        XCTAssertEqual(result.0, result.1, "γ log")
    }

    /// Buffer lengths around the vector widths (8 lanes, 16 for the norm's
    /// partial sums) and the parameter count's scale.
    let optimizerSizes = [1, 7, 8, 9, 15, 16, 17, 100, 1001]

    /// Bit patterns, so that NaNs compare and −0 differs from +0.
    func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

    func testRMSPropStepGivesTheBaselineBits() {
        var random = SeededGenerator(seed: 13)
        for count in optimizerSizes {
            let w0 = values(count, &random), n0 = values(count, &random).map(\.magnitude)
            let mean0 = values(count, &random), delta0 = values(count, &random)
            var baseline = (w: w0, n: n0, mean: mean0, delta: delta0)
            var wide = baseline
            // Three steps, so that each starts from state the kernels wrote.
            for step in 0..<3 {
                let g = values(count, &random)
                let (decay, momentum, rate, epsilon): (Float, Float, Float, Float) =
                    step == 0 ? (0.95, 0.9, 1e-4, 1e-4) : (0.9, 0.5, 3e-2, 1e-6)
                OptimizerKernels.rmspropUpdate(&baseline.w, g, n: &baseline.n, mean: &baseline.mean,
                                               delta: &baseline.delta, count: count,
                                               decay: decay, momentum: momentum, rate: rate, epsilon: epsilon)
                WideKernels.rmspropUpdate(&wide.w, g, n: &wide.n, mean: &wide.mean,
                                          delta: &wide.delta, count: count,
                                          decay: decay, momentum: momentum, rate: rate, epsilon: epsilon)
                XCTAssertEqual(bits(baseline.w), bits(wide.w), "w, \(count) values, step \(step)")
                XCTAssertEqual(bits(baseline.n), bits(wide.n), "n, \(count) values, step \(step)")
                XCTAssertEqual(bits(baseline.mean), bits(wide.mean), "ḡ, \(count) values, step \(step)")
                XCTAssertEqual(bits(baseline.delta), bits(wide.delta), "Δ, \(count) values, step \(step)")
            }
            XCTAssertNotEqual(baseline.w, w0, "the step must have moved the parameters")
        }
    }

    func testAdamStepGivesTheBaselineBits() {
        var random = SeededGenerator(seed: 17)
        for count in optimizerSizes {
            let w0 = values(count, &random), m0 = values(count, &random)
            let v0 = values(count, &random).map(\.magnitude)
            var baseline = (w: w0, m: m0, v: v0)
            var wide = baseline
            for t in 1...3 {
                let g = values(count, &random)
                let beta1: Float = 0.9, beta2: Float = 0.999, rate: Float = 1e-3, epsilon: Float = 1e-8
                let c1 = Float(1 - pow(0.9, Double(t))), c2 = Float(1 - pow(0.999, Double(t)))
                OptimizerKernels.adamUpdate(&baseline.w, g, m: &baseline.m, v: &baseline.v, count: count,
                                            beta1: beta1, beta2: beta2, rate: rate,
                                            epsilon: epsilon, c1: c1, c2: c2)
                WideKernels.adamUpdate(&wide.w, g, m: &wide.m, v: &wide.v, count: count,
                                       beta1: beta1, beta2: beta2, rate: rate,
                                       epsilon: epsilon, c1: c1, c2: c2)
                XCTAssertEqual(bits(baseline.w), bits(wide.w), "w, \(count) values, t = \(t)")
                XCTAssertEqual(bits(baseline.m), bits(wide.m), "m, \(count) values, t = \(t)")
                XCTAssertEqual(bits(baseline.v), bits(wide.v), "v, \(count) values, t = \(t)")
            }
            XCTAssertNotEqual(baseline.w, w0, "the step must have moved the parameters")
        }
    }

    func testClipNormGivesTheBaselineBits() {
        var random = SeededGenerator(seed: 19)
        for count in optimizerSizes {
            let g0 = values(count, &random)
            // A limit the norm exceeds (so the buffer is scaled) and one it does not.
            for maxNorm in [0.5, 1e6] {
                var baseline = g0, wide = g0
                let baselineNorm = OptimizerKernels.clipNorm(&baseline, count: count, maxNorm: maxNorm)
                let wideNorm = WideKernels.clipNorm(&wide, count: count, maxNorm: maxNorm)
                XCTAssertEqual(baselineNorm.bitPattern, wideNorm.bitPattern, "norm, \(count) values")
                XCTAssertEqual(bits(baseline), bits(wide), "scaled g, \(count) values, limit \(maxNorm)")
            }
        }
    }

    func testClipValuesGivesTheBaselineBits() {
        var random = SeededGenerator(seed: 23)
        for count in optimizerSizes {
            var g0 = values(count, &random)
            // The edge cases wherever they fit: NaN must survive, ±∞ clamp, −0 stays −0.
            for (k, special) in [Float.nan, .infinity, -.infinity, -0.0, 2, -2].enumerated() where k < count {
                g0[(k &* 37) % count] = special
            }
            var baseline = g0, wide = g0
            OptimizerKernels.clipValues(&baseline, count: count, low: -2, high: 2)
            WideKernels.clipValues(&wide, count: count, low: -2, high: 2)
            XCTAssertEqual(bits(baseline), bits(wide), "\(count) values")
            XCTAssertTrue(baseline.allSatisfy { $0.isNaN || (-2...2).contains($0) }, "\(count) values")
        }
    }

    /// Memory shapes around the vector widths, and the paper's 128 × 20.
    let memoryShapes = [(1, 1), (5, 3), (8, 2), (9, 4), (17, 5), (128, 20)]

    func testMemoryWriteAndItsBackwardGiveTheBaselineBits() {
        var random = SeededGenerator(seed: 9)
        for (n, m) in memoryShapes {
            let previous = values(n * m, &random), w = values(n, &random).map(abs)
            let erase = values(m, &random).map { abs($0) / 128 }, add = values(m, &random)
            var baseline = [Float](repeating: .nan, count: n * m), wide = baseline
            MemoryKernels.write(previous: previous, weighting: w, erase: erase, add: add, rows: n, width: m,
                                into: &baseline)
            WideKernels.memoryWrite(previous: previous, weighting: w, erase: erase, add: add, rows: n, width: m,
                                    into: &wide)
            XCTAssertEqual(baseline.map(\.bitPattern), wide.map(\.bitPattern), "write, \(n) × \(m)")
            XCTAssertFalse(baseline.contains { $0.isNaN }, "every entry written")

            let dMemory = values(n * m, &random)
            let dPrevious0 = values(n * m, &random), dWeighting0 = values(n, &random)
            let dErase0 = values(m, &random), dAdd0 = values(m, &random)
            var b = (dPrevious0, dWeighting0, dErase0, dAdd0), v = b
            var q = [Float](repeating: 0, count: n)
            MemoryKernels.writeBackward(dMemory: dMemory, previous: previous, weighting: w, erase: erase, add: add,
                                        rows: n, width: m, dPrevious: &b.0, dWeighting: &b.1, dErase: &b.2,
                                        dAdd: &b.3, q: &q)
            WideKernels.memoryWriteBackward(dMemory: dMemory, previous: previous, weighting: w, erase: erase,
                                            add: add, rows: n, width: m, dPrevious: &v.0, dWeighting: &v.1,
                                            dErase: &v.2, dAdd: &v.3, q: &q)
            XCTAssertEqual(b.0.map(\.bitPattern), v.0.map(\.bitPattern), "∂M_{t−1}, \(n) × \(m)")
            XCTAssertEqual(b.1.map(\.bitPattern), v.1.map(\.bitPattern), "∂w, \(n) × \(m)")
            XCTAssertEqual(b.2.map(\.bitPattern), v.2.map(\.bitPattern), "∂e, \(n) × \(m)")
            XCTAssertEqual(b.3.map(\.bitPattern), v.3.map(\.bitPattern), "∂a, \(n) × \(m)")
            XCTAssertNotEqual(b.1, dWeighting0, "the backward pass must have added something")
        }
    }

    func testRowNormsAndCosineBackwardGiveTheBaselineBits() {
        var random = SeededGenerator(seed: 13)
        for (n, m) in memoryShapes {
            let memory = values(n * m, &random)
            var baseline = [Float](repeating: .nan, count: n), wide = baseline
            MemoryKernels.rowNorms(memory, rows: n, width: m, into: &baseline)
            WideKernels.memoryRowNorms(memory, rows: n, width: m, into: &wide)
            XCTAssertEqual(baseline.map(\.bitPattern), wide.map(\.bitPattern), "norms, \(n) × \(m)")
            let row0 = (0..<m).map { memory[$0 * n] }
            XCTAssertEqual(baseline[0], row0.reduce(0) { $0 + $1 * $1 }.squareRoot(), "location 0 is row 0")

            let a = values(n, &random), c = values(n, &random), key = values(m, &random)
            let dMemory0 = values(n * m, &random)
            var dBaseline = dMemory0, dWide = dMemory0
            MemoryKernels.cosineBackward(memory: memory, a: a, c: c, key: key, rows: n, width: m, dMemory: &dBaseline)
            WideKernels.memoryCosineBackward(memory: memory, a: a, c: c, key: key, rows: n, width: m,
                                             dMemory: &dWide)
            XCTAssertEqual(dBaseline.map(\.bitPattern), dWide.map(\.bitPattern), "cosine ∂M, \(n) × \(m)")
        }
    }

    /// Parameters after 20 updates of the copy model, with the dense,
    /// memory and optimiser kernels of the chosen build.
    func trainedParameters(wide: Bool, optimizer: OptimizerConfig) -> [Float] {
        KernelDispatch.useWide = wide
        let network = Network<Float>(config: TrainingTests.copyConfig(), seed: 7)
        let trainer = Trainer(network: network, optimizer: optimizer, threads: 2, dataSeed: 11)
        let task = CopyTask(minLength: 1, maxLength: 6)
        for _ in 0..<20 { trainer.train(on: task, batchSize: 3) }
        return network.parameterValues
    }

    /// The whole model: training with either build ends on the same bits.
    func testTrainingGivesTheSameParametersWithEitherBuild() {
        let baseline = trainedParameters(wide: false, optimizer: .rmsprop)
        let wide = trainedParameters(wide: true, optimizer: .rmsprop)
        XCTAssertEqual(baseline.map(\.bitPattern), wide.map(\.bitPattern))
    }

    func testTrainingWithAdamAndClippingGivesTheSameParametersWithEitherBuild() {
        var config = OptimizerConfig.adam
        config.clipNorm = 1
        config.clipValue = 0.05
        let baseline = trainedParameters(wide: false, optimizer: config)
        let wide = trainedParameters(wide: true, optimizer: config)
        XCTAssertEqual(baseline.map(\.bitPattern), wide.map(\.bitPattern))
    }
}
