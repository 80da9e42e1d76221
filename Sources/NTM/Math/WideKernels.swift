import AVX2Kernels

/// The AVX2 kernels (`Sources/AVX2Kernels`, C) under the Swift names of
/// the baseline kernels they transcribe, for `Float`. Callers reach them
/// only through `KernelDispatch.useWide`, which is never on unless
/// `ntm_avx2_available()` said this CPU can run them.
///
/// Why C: Swift has no per-function target attribute, and a Swift module
/// built with `-target-cpu haswell` needs `unsafeFlags`, which SwiftPM
/// refuses in a versioned dependency. The C functions carry the target in
/// their source. `WideKernelTests` checks that each gives the Swift
/// baseline's bits.
enum WideKernels {
    static var available: Bool { ntm_avx2_available() != 0 }

    @inline(__always)
    static func matVecAccumulate(_ w: UnsafePointer<Float>, rows: Int, cols: Int,
                                 _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        ntm_avx2_mat_vec_accumulate(w, rows, cols, x, y)
    }

    @inline(__always)
    static func matTransposeVecAccumulate(_ w: UnsafePointer<Float>, rows: Int, cols: Int,
                                          _ y: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        ntm_avx2_mat_transpose_vec_accumulate(w, rows, cols, y, x)
    }

    @inline(__always)
    static func outerAccumulateSteps(_ w: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                     a: UnsafePointer<Float>, aStride: Int,
                                     b: UnsafePointer<Float>, bStride: Int, steps: Int) {
        ntm_avx2_outer_accumulate_steps(w, rows, cols, a, aStride, b, bStride, steps)
    }

    @inline(__always)
    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ntm_avx2_sigmoid(x, y, count)
    }

    @inline(__always)
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ntm_avx2_tanh(x, y, count)
    }

    @inline(__always)
    static func expShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, shift: Float) {
        ntm_avx2_exp_shifted(x, y, count, shift)
    }

    @inline(__always)
    static func scaledLog(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                          offset: Float, scale: Float) {
        ntm_avx2_scaled_log(x, y, count, offset, scale)
    }

    @inline(__always)
    static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, offset: Float) {
        ntm_avx2_log(x, y, count, offset)
    }

    @inline(__always)
    static func memoryWrite(previous: UnsafePointer<Float>, weighting: UnsafePointer<Float>,
                            erase: UnsafePointer<Float>, add: UnsafePointer<Float>,
                            rows: Int, width: Int, into memory: UnsafeMutablePointer<Float>) {
        ntm_avx2_memory_write(previous, weighting, erase, add, rows, width, memory)
    }

    @inline(__always)
    static func memoryWriteBackward(dMemory: UnsafePointer<Float>, previous: UnsafePointer<Float>,
                                    weighting: UnsafePointer<Float>, erase: UnsafePointer<Float>,
                                    add: UnsafePointer<Float>, rows: Int, width: Int,
                                    dPrevious: UnsafeMutablePointer<Float>, dWeighting: UnsafeMutablePointer<Float>,
                                    dErase: UnsafeMutablePointer<Float>, dAdd: UnsafeMutablePointer<Float>,
                                    q: UnsafeMutablePointer<Float>) {
        ntm_avx2_memory_write_backward(dMemory, previous, weighting, erase, add, rows, width,
                                       dPrevious, dWeighting, dErase, dAdd, q)
    }

    @inline(__always)
    static func memoryRowNorms(_ memory: UnsafePointer<Float>, rows: Int, width: Int,
                               into norms: UnsafeMutablePointer<Float>) {
        ntm_avx2_memory_row_norms(memory, rows, width, norms)
    }

    @inline(__always)
    static func memoryCosineBackward(memory: UnsafePointer<Float>, a: UnsafePointer<Float>,
                                     c: UnsafePointer<Float>, key: UnsafePointer<Float>,
                                     rows: Int, width: Int, dMemory: UnsafeMutablePointer<Float>) {
        ntm_avx2_memory_cosine_backward(memory, a, c, key, rows, width, dMemory)
    }

    @inline(__always)
    static func rmspropUpdate(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                              n: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                              delta: UnsafeMutablePointer<Float>,
                              count: Int, decay: Float, momentum: Float, rate: Float, epsilon: Float) {
        ntm_avx2_rmsprop_update(w, g, n, mean, delta, count, decay, momentum, rate, epsilon)
    }

    @inline(__always)
    static func adamUpdate(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                           m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                           beta1: Float, beta2: Float, rate: Float, epsilon: Float, c1: Float, c2: Float) {
        ntm_avx2_adam_update(w, g, m, v, count, beta1, beta2, rate, epsilon, c1, c2)
    }

    @inline(__always)
    static func clipNorm(_ g: UnsafeMutablePointer<Float>, count: Int, maxNorm: Double) -> Double {
        ntm_avx2_clip_norm(g, count, maxNorm)
    }

    @inline(__always)
    static func clipValues(_ g: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
        ntm_avx2_clip_values(g, count, low, high)
    }
}
