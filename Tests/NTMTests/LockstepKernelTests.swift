import XCTest
@testable import NTM
import NTMWideKernels

/// The kernels that share one pass over a matrix between two sequences (or
/// two columns) must give each sequence (each column) exactly the bits of
/// the one-at-a-time kernel: the trainer steps sequences in pairs or alone
/// depending on the batch, and its results must not depend on that.
final class LockstepKernelTests: XCTestCase {
    let sizes = [1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 100, 400]
    let columnCounts = [1, 2, 3, 4, 5, 9, 29, 100, 129]

    /// Values over several binades and signs, so that any change in the
    /// order of the additions shows in the low bits; `zeroBlocks` zeroes
    /// whole blocks of four, which the forward product skips.
    func values(_ count: Int, _ random: inout SeededGenerator, zeroBlocks: Bool = false) -> [Float] {
        var x: [Float] = (0..<count).map { _ in random.uniform(Float(-1), 1) * Float(1 << random.integer(in: 0...7)) }
        if zeroBlocks {
            for block in stride(from: 0, to: count, by: 4) where random.uniform(Float.self) < 0.4 {
                for k in block..<min(block + 4, count) { x[k] = 0 }
            }
        }
        return x
    }

    func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

    /// Both builds where the CPU has the AVX2 one.
    var builds: [Bool] { KernelDispatch.wideAvailable ? [false, true] : [false] }

    override func tearDown() {
        KernelDispatch.useWide = KernelDispatch.wideAvailable
    }

    func testPairedMatrixVectorProductGivesEachSequenceItsOwnBits() {
        var random = SeededGenerator(seed: 11)
        for wide in builds {
            KernelDispatch.useWide = wide
            for rows in sizes {
                for cols in columnCounts {
                    let w = values(rows * cols, &random)
                    // One sequence's input with zero blocks the other lacks, and a zero vector.
                    let xa = values(cols, &random, zeroBlocks: true), xb = values(cols, &random, zeroBlocks: true)
                    let zeros = [Float](repeating: 0, count: cols)
                    for (first, second) in [(xa, xb), (xa, zeros), (zeros, xb)] {
                        let ya0 = values(rows, &random), yb0 = values(rows, &random)
                        var singleA = ya0, singleB = yb0, pairA = ya0, pairB = yb0
                        Dense.matVecAccumulate(w, rows: rows, cols: cols, first, &singleA)
                        Dense.matVecAccumulate(w, rows: rows, cols: cols, second, &singleB)
                        matVecAccumulatePair(w, rows: rows, cols: cols, first, &pairA, second, &pairB)
                        XCTAssertEqual(bits(pairA), bits(singleA), "first of pair, \(rows) × \(cols), wide \(wide)")
                        XCTAssertEqual(bits(pairB), bits(singleB), "second of pair, \(rows) × \(cols), wide \(wide)")
                    }
                }
            }
        }
    }

    func testPairedTransposedProductGivesEachSequenceItsOwnBits() {
        var random = SeededGenerator(seed: 13)
        for wide in builds {
            KernelDispatch.useWide = wide
            for rows in sizes {
                for cols in columnCounts {
                    let w = values(rows * cols, &random)
                    let ya = values(rows, &random), yb = values(rows, &random)
                    let xa0 = values(cols, &random), xb0 = values(cols, &random)
                    var singleA = xa0, singleB = xb0, pairA = xa0, pairB = xb0
                    Dense.matTransposeVecAccumulate(w, rows: rows, cols: cols, ya, &singleA)
                    Dense.matTransposeVecAccumulate(w, rows: rows, cols: cols, yb, &singleB)
                    matTransposeVecAccumulatePair(w, rows: rows, cols: cols, ya, &pairA, yb, &pairB)
                    XCTAssertEqual(bits(pairA), bits(singleA), "first of pair, \(rows) × \(cols), wide \(wide)")
                    XCTAssertEqual(bits(pairB), bits(singleB), "second of pair, \(rows) × \(cols), wide \(wide)")
                    XCTAssertNotEqual(pairA, xa0, "the product must have added something")
                }
            }
        }
    }

    /// The weight-gradient product takes two columns per pass; each column
    /// must come out as it would on its own.
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
