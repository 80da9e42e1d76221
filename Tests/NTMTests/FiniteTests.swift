import XCTest
@testable import NTM

/// `firstNonFiniteIndex` guards every update through the C API; it must
/// find the first NaN or infinity wherever it sits: in the vector part of a
/// block, in a block's scalar tail, in a later block, or nowhere.
final class FiniteTests: XCTestCase {
    func check<T: BinaryFloatingPoint & SIMDScalar>(_ type: T.Type) {
        for count in [0, 1, 7, 8, 9, 1023, 1024, 1025, 3000] {
            var values = (0..<count).map { T($0 % 17) - 8 }
            values.withUnsafeBufferPointer { XCTAssertNil(firstNonFiniteIndex($0), "\(count) finite values") }
            for position in Set([0, count / 2, count - 1, 1023, 1024, count - 2]) where (0..<count).contains(position) {
                for bad in [T.nan, T.infinity, -T.infinity] {
                    values[position] = bad
                    if position + 1 < count { values[count - 1] = .nan }   // a later one must not win
                    values.withUnsafeBufferPointer {
                        XCTAssertEqual(firstNonFiniteIndex($0), position, "\(bad) at \(position) of \(count)")
                    }
                    values = (0..<count).map { T($0 % 17) - 8 }
                }
            }
        }
    }

    /// `firstIndexBeyond` likewise, for values beyond the limit on either
    /// side as well as NaN and infinities; the limit itself is inside.
    func checkBeyond<T: BinaryFloatingPoint & SIMDScalar>(_ type: T.Type) {
        let limit: T = 1e6
        for count in [0, 1, 7, 8, 9, 1023, 1024, 1025, 3000] {
            var values = (0..<count).map { T($0 % 3 == 0 ? 1e6 : -1e6) }
            values.withUnsafeBufferPointer { XCTAssertNil(firstIndexBeyond($0, limit: limit), "\(count) at the limit") }
            for position in Set([0, count / 2, count - 1, 1023, 1024, count - 2]) where (0..<count).contains(position) {
                for bad in [T.nan, T.infinity, -T.infinity, limit.nextUp, -limit.nextUp, 3e38] {
                    let saved = values
                    values[position] = bad
                    if position + 1 < count { values[count - 1] = 2e6 }   // a later one must not win
                    values.withUnsafeBufferPointer {
                        XCTAssertEqual(firstIndexBeyond($0, limit: limit), position, "\(bad) at \(position) of \(count)")
                    }
                    values = saved
                }
            }
        }
    }

    func testFindsTheFirstValueBeyondALimit() {
        checkBeyond(Float.self)
        checkBeyond(Double.self)
    }

    func testFindsTheFirstNonFiniteValue() {
        check(Float.self)
        check(Double.self)
    }
}
