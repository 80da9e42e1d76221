
/// Gradient clipping on the flat gradient buffer. The arithmetic is in
/// `OptimizerKernels`: its AVX2 build for `Float` where the CPU has it, else
/// the baseline build (the same bits either way).
enum Clipping {
    /// Scales `g` so its L2 norm is at most `maxNorm`; returns the norm
    /// before scaling. The sum of squares runs in `Double` in a fixed order
    /// (sixteen interleaved partial sums, combined pairwise, then the tail:
    /// see `OptimizerKernels.clipNorm`), so the result is the same whatever
    /// computed the gradient, with how many threads, in which build.
    @discardableResult
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func clipNorm<T: NTMScalar>(_ g: UnsafeMutableBufferPointer<T>, maxNorm: Double) -> Double {
        guard let p = g.baseAddress else { return 0 }
        if T.self == Float.self && KernelDispatch.useWide {
            return WideKernels.clipNorm(floats(p), count: g.count, maxNorm: maxNorm)
        } else {
            return OptimizerKernels.clipNorm(p, count: g.count, maxNorm: maxNorm)
        }
    }

    /// Clamps every element of `g` to `[−limit, limit]`; NaN stays NaN so
    /// that the trainer can notice it.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func clipValues<T: NTMScalar>(_ g: UnsafeMutableBufferPointer<T>, limit: Double) {
        guard let p = g.baseAddress else { return }
        if T.self == Float.self && KernelDispatch.useWide {
            WideKernels.clipValues(floats(p), count: g.count, low: -Float(limit), high: Float(limit))
        } else {
            OptimizerKernels.clipValues(p, count: g.count, low: -T(limit), high: T(limit))
        }
    }
}
