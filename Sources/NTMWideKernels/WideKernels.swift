/// Entry points into `DenseKernels.swift` as compiled for AVX2 (`haswell`):
/// the same source as the baseline build, so the same results bit for bit,
/// with twice the vector width. Only `Float` is exported: `Double` is the
/// gradient-check type, where speed does not matter.
///
/// Callers must first check `cpu_features_haswell()`; running any of these
/// on an older CPU is an illegal instruction. They are never inlined into
/// the baseline module, which is why each is a real call.
public enum WideKernels {
    /// `y += W x` for a column-major `rows × cols` matrix `W`.
    @inline(never)
    public static func matVecAccumulate(_ w: UnsafePointer<Float>, rows: Int, cols: Int,
                                        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        Dense.matVecAccumulate(w, rows: rows, cols: cols, x, y)
    }

    /// `x += Wᵀ y` for a column-major `rows × cols` matrix `W`.
    @inline(never)
    public static func matTransposeVecAccumulate(_ w: UnsafePointer<Float>, rows: Int, cols: Int,
                                                 _ y: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        Dense.matTransposeVecAccumulate(w, rows: rows, cols: cols, y, x)
    }

    /// `W += Σ_t a_t b_tᵀ` over `steps` steps.
    @inline(never)
    public static func outerAccumulateSteps(_ w: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                            a: UnsafePointer<Float>, aStride: Int,
                                            b: UnsafePointer<Float>, bStride: Int, steps: Int) {
        Dense.outerAccumulateSteps(w, rows: rows, cols: cols, a: a, aStride: aStride,
                                   b: b, bStride: bStride, steps: steps)
    }
}
