
/// Elementary functions eight lanes at a time, for the loops that apply them
/// to whole vectors (softmaxes, sharpening, LSTM gates). For `Float` they
/// are `LaneMath`'s polynomial approximations, the same code everywhere, so
/// results do not depend on the platform's libm. For `Double` — the
/// gradient-check type — they call the C library lane by lane.
public protocol VectorMath: SIMDScalar, Codable, Hashable {
    static func exp(lanes x: SIMD8<Self>) -> SIMD8<Self>
    static func log(lanes x: SIMD8<Self>) -> SIMD8<Self>
    static func tanh(lanes x: SIMD8<Self>) -> SIMD8<Self>
}

extension Float: VectorMath {
    /// `LaneMath.exp`: `x = n ln 2 + r`, `e^x = 2^n · p(r)`.
    @inline(__always)
    public static func exp(lanes x: SIMD8<Float>) -> SIMD8<Float> { LaneMath.exp(x) }

    /// `LaneMath.log`, for positive normal values.
    @inline(__always)
    public static func log(lanes x: SIMD8<Float>) -> SIMD8<Float> { LaneMath.log(x) }

    /// `LaneMath.tanh`.
    @inline(__always)
    public static func tanh(lanes x: SIMD8<Float>) -> SIMD8<Float> { LaneMath.tanh(x) }
}

extension Double: VectorMath {
    @inline(__always)
    public static func exp(lanes x: SIMD8<Double>) -> SIMD8<Double> {
        var y = x
        for k in 0..<8 { y[k] = Double.exp(x[k]) }
        return y
    }

    @inline(__always)
    public static func log(lanes x: SIMD8<Double>) -> SIMD8<Double> {
        var y = x
        for k in 0..<8 { y[k] = Double.log(x[k]) }
        return y
    }

    @inline(__always)
    public static func tanh(lanes x: SIMD8<Double>) -> SIMD8<Double> {
        var y = x
        for k in 0..<8 { y[k] = Double.tanh(x[k]) }
        return y
    }
}

// MARK: Whole vectors

/// `y = σ(x)` elementwise (for `Float`, in the AVX2 build of `LaneMath`
/// where the CPU has it: the same bits, in about half the instructions).
@inline(__always)
func sigmoid<T: NTMScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.sigmoid(floats(x), floats(y), count: count)
    } else {
        LaneMath.map(x, y, count: count) { 1 / (1 + T.exp(lanes: -$0)) }
    }
}

/// `y = tanh(x)` elementwise (dispatched like `sigmoid`).
@inline(__always)
func tanh<T: NTMScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.tanh(floats(x), floats(y), count: count)
    } else {
        LaneMath.map(x, y, count: count) { T.tanh(lanes: $0) }
    }
}

/// `y = e^{x − shift}` elementwise (dispatched like `sigmoid`).
@inline(__always)
func expShifted<T: NTMScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int, shift: T) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.expShifted(floats(x), floats(y), count: count, shift: unsafeBitCast(shift, to: Float.self))
    } else {
        let lanes = SIMD8<T>(repeating: shift)
        LaneMath.map(x, y, count: count) { T.exp(lanes: $0 - lanes) }
    }
}

/// `y = scale · log(x + offset)` elementwise (dispatched like `sigmoid`).
@inline(__always)
func scaledLog<T: NTMScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int, offset: T, scale: T) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.scaledLog(floats(x), floats(y), count: count, offset: unsafeBitCast(offset, to: Float.self),
                              scale: unsafeBitCast(scale, to: Float.self))
    } else {
        let offsets = SIMD8<T>(repeating: offset), scales = SIMD8<T>(repeating: scale)
        LaneMath.map(x, y, count: count) { scales * T.log(lanes: $0 + offsets) }
    }
}

/// `y = log(x + offset)` elementwise (dispatched like `sigmoid`).
@inline(__always)
func log<T: NTMScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int, offset: T) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.log(floats(x), floats(y), count: count, offset: unsafeBitCast(offset, to: Float.self))
    } else {
        let offsets = SIMD8<T>(repeating: offset)
        LaneMath.map(x, y, count: count) { T.log(lanes: $0 + offsets) }
    }
}
