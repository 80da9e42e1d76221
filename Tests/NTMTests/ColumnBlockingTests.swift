import XCTest
@testable import NTM

/// Kernels that work on two columns per pass must give each column exactly
/// the bits it gets on its own, so that blocking is a matter of speed only.
final class ColumnBlockingTests: XCTestCase {
    let sizes = [1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 100, 400]

    /// Values over several binades and signs, so that any change in the
    /// order of the additions shows in the low bits.
    func values(_ count: Int, _ random: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in random.uniform(Float(-1), 1) * Float(1 << random.integer(in: 0...7)) }
    }

    func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

    /// Both builds where the CPU has the AVX2 one.
    var builds: [Bool] { KernelDispatch.wideAvailable ? [false, true] : [false] }

    override func tearDown() {
        KernelDispatch.useWide = KernelDispatch.wideAvailable
    }

    /// The weight-gradient product takes two columns per pass (an odd last
    /// one alone); each column must come out as it would on its own.
    func testOuterProductGivesEachColumnItsOwnBits() {
        var random = SeededGenerator(seed: 17)
        for wide in builds {
            KernelDispatch.useWide = wide
            for rows in sizes {
                for (cols, steps) in [(2, 1), (3, 4), (5, 7), (29, 22), (129, 9)] {
                    let aStride = rows + 3, bStride = cols + 2
                    let a = values(aStride * steps, &random), b = values(bStride * steps, &random)
                    let w0 = values(rows * cols, &random)
                    var together = w0
                    outerAccumulateSteps(&together, rows: rows, cols: cols, a: a, aStride: aStride,
                                         b: b, bStride: bStride, steps: steps)
                    for j in 0..<cols {
                        var alone = Array(w0[(j * rows)..<((j + 1) * rows)])
                        Dense.outerAccumulateSteps(&alone, rows: rows, cols: 1, a: a, aStride: aStride,
                                                   b: Array(b[j...]), bStride: bStride, steps: steps)
                        XCTAssertEqual(bits(Array(together[(j * rows)..<((j + 1) * rows)])), bits(alone),
                                       "column \(j) of \(rows) × \(cols) over \(steps) steps, wide \(wide)")
                    }
                }
            }
        }
    }
}
