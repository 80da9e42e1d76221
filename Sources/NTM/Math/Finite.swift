/// The index of the first NaN or infinity in `x`, or nil when every value is
/// finite. It runs eight lanes at a time over blocks of 1,024 values,
/// accumulating `v − v` (0 for a finite `v`, NaN otherwise), and looks for
/// the index only inside a block that holds one: the C API checks whole
/// parameter, gradient and optimiser-state buffers around every update, and
/// a scalar search took a fifth of a batch-1 update.
@inlinable
public func firstNonFiniteIndex<T: BinaryFloatingPoint & SIMDScalar>(_ x: UnsafeBufferPointer<T>) -> Int? {
    guard let base = x.baseAddress else { return nil }
    let count = x.count, block = 1024
    var start = 0
    while start < count {
        let end = min(count, start + block)
        var lanes = SIMD8<T>()
        var i = start
        while i &+ 8 <= end {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<T>.self)
            lanes += v - v
            i &+= 8
        }
        var rest: T = 0
        while i < end {
            rest += base[i] - base[i]
            i &+= 1
        }
        if (lanes.sum() + rest).isNaN {
            for k in start..<end where !base[k].isFinite { return k }
        }
        start = end
    }
    return nil
}

@inlinable
public func firstNonFiniteIndex<T: BinaryFloatingPoint & SIMDScalar>(_ x: UnsafeMutableBufferPointer<T>) -> Int? {
    firstNonFiniteIndex(UnsafeBufferPointer(x))
}
