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

/// The largest magnitude a parameter may take. Updates that would move a
/// parameter beyond it are refused, and saving and loading refuse files
/// that hold one. Trained models stay far inside it (their weights are
/// below 100), and inside it the forward pass cannot overflow `Float` for
/// any size a config accepts with inputs of ordinary size (docs/MODEL.md,
/// "Numerics"); a file written by someone else could otherwise hold
/// weights near `Float.greatestFiniteMagnitude` that turn every output
/// into NaN.
public let parameterMagnitudeLimit = 1e6

/// The index of the first value of `x` that is NaN, infinite or of
/// magnitude above `limit`, or nil. Blocks of 1,024 values, eight lanes at
/// a time, as `firstNonFiniteIndex`: each value is scaled so that anything
/// beyond the limit (or a hair below it) overflows to infinity, and `s − s`
/// is accumulated, so one NaN test per block covers NaN, infinity and the
/// range; only a block that fails it is searched exactly. (Lane-wise
/// minimum and maximum were not inlined and cost 4% of a copy training
/// sequence: the trainer checks every parameter after every update.)
@inlinable
public func firstIndexBeyond<T: BinaryFloatingPoint & SIMDScalar>(_ x: UnsafeBufferPointer<T>, limit: T) -> Int? {
    guard let base = x.baseAddress else { return nil }
    // A margin of 16 ulps, so that rounding in the scale and the product
    // cannot keep a value just beyond the limit finite.
    let scale = T.greatestFiniteMagnitude / limit * (1 + 16 * T.ulpOfOne)
    let scales = SIMD8<T>(repeating: scale)
    let count = x.count, block = 1024
    var start = 0
    while start < count {
        let end = min(count, start + block)
        var lanes = SIMD8<T>()
        var i = start
        while i &+ 8 <= end {
            let s = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<T>.self) * scales
            lanes += s - s
            i &+= 8
        }
        var rest: T = 0
        while i < end {
            let s = base[i] * scale
            rest += s - s
            i &+= 1
        }
        if (lanes.sum() + rest).isNaN {
            for k in start..<end where !(base[k].magnitude <= limit) { return k }
        }
        start = end
    }
    return nil
}

@inlinable
public func firstIndexBeyond<T: BinaryFloatingPoint & SIMDScalar>(_ x: UnsafeMutableBufferPointer<T>,
                                                                  limit: T) -> Int? {
    firstIndexBeyond(UnsafeBufferPointer(x), limit: limit)
}
