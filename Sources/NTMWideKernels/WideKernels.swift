/// Entry points into `DenseKernels.swift`, `LaneMath.swift` and `OptimizerKernels.swift` as
/// compiled for AVX2 (`haswell`): the same source as the baseline build, so
/// the same results bit for bit, with twice the vector width. Only `Float`
/// is exported: `Double` is the gradient-check type, where speed does not
/// matter.
///
/// Callers must first check `cpu_features_haswell()`; running any of these
/// on an older CPU is an illegal instruction. They are never inlined into
/// the baseline module, which is why each is a real call; and each is marked
/// `optimize.no.crossmodule`, because otherwise Swift's default cross-module
/// optimisation may hand a small body (it did `clipValues`) to `NTM`, which
/// would then compile its own baseline copy and never call the AVX2 one.
public enum WideKernels {
    /// `y += W x` for a column-major `rows × cols` matrix `W`.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func matVecAccumulate(_ w: UnsafePointer<Float>, rows: Int, cols: Int,
                                        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        Dense.matVecAccumulate(w, rows: rows, cols: cols, x, y)
    }

    /// `x += Wᵀ y` for a column-major `rows × cols` matrix `W`.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func matTransposeVecAccumulate(_ w: UnsafePointer<Float>, rows: Int, cols: Int,
                                                 _ y: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        Dense.matTransposeVecAccumulate(w, rows: rows, cols: cols, y, x)
    }

    /// `W += Σ_t a_t b_tᵀ` over `steps` steps.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func outerAccumulateSteps(_ w: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                            a: UnsafePointer<Float>, aStride: Int,
                                            b: UnsafePointer<Float>, bStride: Int, steps: Int) {
        Dense.outerAccumulateSteps(w, rows: rows, cols: cols, a: a, aStride: aStride,
                                   b: b, bStride: bStride, steps: steps)
    }

    /// `y = σ(x)` elementwise (`LaneMath`).
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        LaneMath.sigmoid(x, y, count: count)
    }

    /// `y = tanh(x)` elementwise (`LaneMath`).
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        LaneMath.tanh(x, y, count: count)
    }

    /// `y = e^{x − shift}` elementwise (`LaneMath`).
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func expShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                                  shift: Float) {
        LaneMath.expShifted(x, y, count: count, shift: shift)
    }

    /// `y = scale · log(x + offset)` elementwise (`LaneMath`).
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func scaledLog(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                                 offset: Float, scale: Float) {
        LaneMath.scaledLog(x, y, count: count, offset: offset, scale: scale)
    }

    /// `y = log(x + offset)` elementwise (`LaneMath`).
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                           offset: Float) {
        LaneMath.log(x, y, count: count, offset: offset)
    }

    /// Graves' RMSProp (eqs. 38–41) over `count` values, in one pass.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func rmspropUpdate(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                     n: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                     delta: UnsafeMutablePointer<Float>,
                                     count: Int, decay: Float, momentum: Float, rate: Float, epsilon: Float) {
        OptimizerKernels.rmspropUpdate(w, g, n: n, mean: mean, delta: delta, count: count,
                                       decay: decay, momentum: momentum, rate: rate, epsilon: epsilon)
    }

    /// Adam with bias corrections `c1`, `c2` over `count` values, in one pass.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func adamUpdate(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                  m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                                  count: Int,
                                  beta1: Float, beta2: Float, rate: Float, epsilon: Float, c1: Float, c2: Float) {
        OptimizerKernels.adamUpdate(w, g, m: m, v: v, count: count,
                                    beta1: beta1, beta2: beta2, rate: rate, epsilon: epsilon, c1: c1, c2: c2)
    }

    /// Scales `g` to L2 norm at most `maxNorm`; returns the norm before scaling.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func clipNorm(_ g: UnsafeMutablePointer<Float>, count: Int, maxNorm: Double) -> Double {
        OptimizerKernels.clipNorm(g, count: count, maxNorm: maxNorm)
    }

    /// Clamps every element of `g` to `[low, high]`, keeping NaN.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func clipValues(_ g: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
        OptimizerKernels.clipValues(g, count: count, low: low, high: high)
    }
}
