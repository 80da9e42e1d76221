/// The elementary functions of `VectorMath` for `Float`, eight lanes at a
/// time, and the loops that apply them to whole vectors (LSTM gates,
/// feedforward activations, the softmax's exponentials, sharpening's
/// logarithms): our own polynomial
/// approximations (Cephes' coefficients, within a few ulp of the C
/// library), written with SIMD integer tricks that need nothing beyond
/// SSE2, so results do not depend on the platform's libm.
///
/// Like `DenseKernels.swift`, this file has an AVX2 transcription in C
/// (`Sources/AVX2Kernels/lane_math.c`), where the same lane operations
/// run on 256-bit registers instead of pairs of 128-bit ones. Every lane is
/// computed by the same IEEE operations in the same order in both (no FMA
/// contraction), so they give the same bits (`WideKernelTests`).
enum LaneMath {
    /// `e^x`: `x = n ln 2 + r`, `e^x = 2^n · p(r)` with `|r| ≤ ½ ln 2`;
    /// `x` is clamped to [−87.3, 88], so no lane overflows or is NaN
    /// unless `x` is NaN.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magic = SIMD8<Float>(repeating: 12582912)   // 1.5 · 2^23: adding it rounds to an integer
        let low = SIMD8<Float>(repeating: -87.3), high = SIMD8<Float>(repeating: 88.0)
        var x = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        let t = x * 1.44269504088896341 + magic
        let n = t - magic
        x = x - n * 0.693359375 - n * -2.12194440e-4
        let z = x * x
        var y = SIMD8<Float>(repeating: 1.9875691500e-4)
        y = y * x + 1.3981999507e-3
        y = y * x + 8.3334519073e-3
        y = y * x + 4.1665795894e-2
        y = y * x + 1.6666665459e-1
        y = y * x + 5.0000001201e-1
        y = y * z + x + 1
        // 2^n from n's bits: t's low mantissa bits hold n + 2^22.
        let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: SIMD8<Float>.self)
        return y * scale
    }

    /// Natural logarithm of positive normal values: `x = m · 2^e` with
    /// `m ∈ [√½, √2)`, `log x = e ln 2 + log m` by a polynomial in `m − 1`.
    @inline(__always)
    static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let x = x.replacing(with: .leastNormalMagnitude, where: x .< .leastNormalMagnitude)
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        var e = SIMD8<Float>((bits &>> 23) &- 126)
        // Mantissa in [0.5, 1).
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: SIMD8<Float>.self)
        let small = m .< 0.707106781186547524
        e = e.replacing(with: e - 1, where: small)
        m = m.replacing(with: m + m - 1, where: small).replacing(with: m - 1, where: .!small)
        let z = m * m
        var y = SIMD8<Float>(repeating: 7.0376836292e-2)
        y = y * m - 1.1514610310e-1
        y = y * m + 1.1676998740e-1
        y = y * m - 1.2420140846e-1
        y = y * m + 1.4249322787e-1
        y = y * m - 1.6668057665e-1
        y = y * m + 2.0000714765e-1
        y = y * m - 2.4999993993e-1
        y = y * m + 3.3333331174e-1
        y = y * m * z
        y = y + e * -2.12194440e-4
        y = y - 0.5 * z
        return m + y + e * 0.693359375
    }

    /// `tanh x`: an odd polynomial for `|x| < 0.625`, where `1 − 2/(e^{2x}+1)`
    /// would cancel, and that form elsewhere.
    @inline(__always)
    static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let a = x.replacing(with: -x, where: x .< 0)
        let z = x * x
        var p = SIMD8<Float>(repeating: -5.70498872745e-3)
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let near = p * z * x + x
        var far = 1 - 2 / (exp(a + a) + 1)
        far = far.replacing(with: -far, where: x .< 0)
        return near.replacing(with: far, where: a .>= 0.625)
    }

    // MARK: Whole vectors

    /// Applies `f` to `count` values from `x` into `y` (which may be `x`);
    /// a tail of fewer than eight runs in a zero-padded vector whose extra
    /// lanes are never stored. Generic, so that `VectorMath`'s baseline and
    /// `Double` paths run the same loop.
    @inline(__always)
    static func map<T: DenseScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int,
                                    _ f: (SIMD8<T>) -> SIMD8<T>) {
        var i = 0
        while i &+ 8 <= count {
            Dense.store8(f(Dense.load8(x, i)), y, i)
            i &+= 8
        }
        if i < count {
            var v = SIMD8<T>()
            for k in 0..<(count &- i) { v[k] = x[i &+ k] }
            let r = f(v)
            for k in 0..<(count &- i) { y[i &+ k] = r[k] }
        }
    }

    /// `y = σ(x) = 1 / (1 + e^{−x})` elementwise.
    @inline(__always)
    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count: count) { 1 / (1 + exp(-$0)) }
    }

    /// `y = tanh(x)` elementwise.
    @inline(__always)
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count: count) { tanh($0) }
    }

    /// `y = scale · log(x + offset)` elementwise: sharpening's logarithms.
    @inline(__always)
    static func scaledLog(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                          offset: Float, scale: Float) {
        let o = SIMD8<Float>(repeating: offset), s = SIMD8<Float>(repeating: scale)
        map(x, y, count: count) { s * log($0 + o) }
    }

    /// `y = log(x + offset)` elementwise.
    @inline(__always)
    static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, offset: Float) {
        let o = SIMD8<Float>(repeating: offset)
        map(x, y, count: count) { log($0 + o) }
    }

    /// `y = e^{x − shift}` elementwise: the softmax's exponentials.
    @inline(__always)
    static func expShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, shift: Float) {
        let s = SIMD8<Float>(repeating: shift)
        map(x, y, count: count) { exp($0 - s) }
    }
}
