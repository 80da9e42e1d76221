import XCTest
@testable import NTM
import NTMWideKernels

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

    /// The whole model: training with either build ends on the same bits.
    func testTrainingGivesTheSameParametersWithEitherBuild() {
        func train() -> [Float] {
            let network = Network<Float>(config: TrainingTests.copyConfig(), seed: 7)
            let trainer = Trainer(network: network, optimizer: .rmsprop, threads: 2, dataSeed: 11)
            let task = CopyTask(minLength: 1, maxLength: 6)
            for _ in 0..<20 { trainer.train(on: task, batchSize: 3) }
            return network.parameterValues
        }
        KernelDispatch.useWide = false
        let baseline = train()
        KernelDispatch.useWide = true
        let wide = train()
        XCTAssertEqual(baseline.map(\.bitPattern), wide.map(\.bitPattern))
    }
}
