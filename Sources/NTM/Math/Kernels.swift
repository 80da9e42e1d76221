#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The kernels the model calls. The three dense products go to the AVX2
/// build of `DenseKernels.swift` when the CPU has it and the scalar type is
/// `Float`, and to the baseline build otherwise; both give the same bits, so
/// the choice changes speed only. Everything here is on raw buffers whose
/// sizes the callers guarantee. (The optimisers and gradient clipping
/// dispatch the same way to `OptimizerKernels.swift`, and the activations to
/// `LaneMath.swift`, next to their callers.)
public enum KernelDispatch {
    /// Whether this CPU can run `AVX2Kernels` (AVX2 and the rest of
    /// LLVM's `haswell`).
    public static let wideAvailable: Bool = WideKernels.available

    /// Whether the dense products, the optimisers' updates and gradient
    /// clipping use the AVX2 build: on where available, unless the
    /// environment sets `NTM_KERNELS=baseline` when the library loads. Only
    /// the module's own tests switch it (to compare the two builds in one
    /// process), so users read it but cannot change it under a running model.
    nonisolated(unsafe) public internal(set) static var useWide: Bool =
        wideAvailable && getenv("NTM_KERNELS").map { String(cString: $0) } != "baseline"

    /// The build the kernels are using, for reports.
    public static var name: String { useWide ? "avx2" : "baseline (sse2)" }
}

/// `y += W x` for a column-major `rows × cols` matrix `W`.
@inline(__always)
func matVecAccumulate<T: NTMScalar>(_ w: UnsafePointer<T>, rows: Int, cols: Int,
                                    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.matVecAccumulate(floats(w), rows: rows, cols: cols, floats(x), floats(y))
    } else {
        Dense.matVecAccumulate(w, rows: rows, cols: cols, x, y)
    }
}

/// `x += Wᵀ y`, the backward product of `matVecAccumulate`.
@inline(__always)
func matTransposeVecAccumulate<T: NTMScalar>(_ w: UnsafePointer<T>, rows: Int, cols: Int,
                                             _ y: UnsafePointer<T>, _ x: UnsafeMutablePointer<T>) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.matTransposeVecAccumulate(floats(w), rows: rows, cols: cols, floats(y), floats(x))
    } else {
        Dense.matTransposeVecAccumulate(w, rows: rows, cols: cols, y, x)
    }
}

/// `W += Σ_t a_t b_tᵀ` over `steps` time steps (`a_t = a + t·aStride`,
/// `b_t = b + t·bStride`): a layer's weight gradient over a whole sequence.
@inline(__always)
func outerAccumulateSteps<T: NTMScalar>(_ w: UnsafeMutablePointer<T>, rows: Int, cols: Int,
                                        a: UnsafePointer<T>, aStride: Int,
                                        b: UnsafePointer<T>, bStride: Int, steps: Int) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.outerAccumulateSteps(floats(w), rows: rows, cols: cols, a: floats(a), aStride: aStride,
                                         b: floats(b), bStride: bStride, steps: steps)
    } else {
        Dense.outerAccumulateSteps(w, rows: rows, cols: cols, a: a, aStride: aStride,
                                   b: b, bStride: bStride, steps: steps)
    }
}

/// The same pointer as `Float`, for a `T` that has been checked to be `Float`
/// (also used by the optimisers' and clipping's dispatch).
@inline(__always)
func floats<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always)
func floats<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

/// `Σ a[i] b[i]`, eight lanes at a time (for short vectors: always baseline,
/// where a call into the wide build would cost more than it saves).
@inline(__always)
func dot<T: NTMScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count: Int) -> T {
    Dense.dot(a, b, count: count)
}

/// `y += alpha x`
@inline(__always)
func axpy<T: NTMScalar>(_ alpha: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
    Dense.axpy(alpha, x, y, count: count)
}

/// `y += x`
@inline(__always)
func addAccumulate<T: NTMScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
    var i = 0
    while i < count {
        y[i] += x[i]
        i &+= 1
    }
}

@inline(__always)
func copyValues<T>(_ source: UnsafePointer<T>, _ destination: UnsafeMutablePointer<T>, count: Int) {
    destination.update(from: source, count: count)
}

@inline(__always)
func zero<T: NTMScalar>(_ x: UnsafeMutablePointer<T>, count: Int) {
    x.update(repeating: 0, count: count)
}

/// `y += Σ_t a_t` (`count` values each, `a_t = a + t·stride`): bias gradients.
func sumAccumulateSteps<T: NTMScalar>(_ y: UnsafeMutablePointer<T>, count: Int,
                                      a: UnsafePointer<T>, stride: Int, steps: Int) {
    for t in 0..<steps { addAccumulate(a + t &* stride, y, count: count) }
}

// MARK: Memory passes (see MemoryKernels.swift), dispatched like the products.

/// One write head's erase and add (eq. 3–4) over the whole memory.
@inline(__always)
func memoryWrite<T: NTMScalar>(previous: UnsafePointer<T>, weighting: UnsafePointer<T>, erase: UnsafePointer<T>,
                               add: UnsafePointer<T>, rows: Int, width: Int, into memory: UnsafeMutablePointer<T>) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.memoryWrite(previous: floats(previous), weighting: floats(weighting), erase: floats(erase),
                                add: floats(add), rows: rows, width: width, into: floats(memory))
    } else {
        MemoryKernels.write(previous: previous, weighting: weighting, erase: erase, add: add,
                            rows: rows, width: width, into: memory)
    }
}

/// The backward pass of `memoryWrite`.
@inline(__always)
func memoryWriteBackward<T: NTMScalar>(dMemory: UnsafePointer<T>, previous: UnsafePointer<T>,
                                       weighting: UnsafePointer<T>, erase: UnsafePointer<T>, add: UnsafePointer<T>,
                                       rows: Int, width: Int, dPrevious: UnsafeMutablePointer<T>,
                                       dWeighting: UnsafeMutablePointer<T>, dErase: UnsafeMutablePointer<T>,
                                       dAdd: UnsafeMutablePointer<T>, q: UnsafeMutablePointer<T>) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.memoryWriteBackward(dMemory: floats(dMemory), previous: floats(previous),
                                        weighting: floats(weighting), erase: floats(erase), add: floats(add),
                                        rows: rows, width: width, dPrevious: floats(dPrevious),
                                        dWeighting: floats(dWeighting), dErase: floats(dErase),
                                        dAdd: floats(dAdd), q: floats(q))
    } else {
        MemoryKernels.writeBackward(dMemory: dMemory, previous: previous, weighting: weighting, erase: erase,
                                    add: add, rows: rows, width: width, dPrevious: dPrevious,
                                    dWeighting: dWeighting, dErase: dErase, dAdd: dAdd, q: q)
    }
}

/// `‖M(i)‖` for every location.
@inline(__always)
func memoryRowNorms<T: NTMScalar>(_ memory: UnsafePointer<T>, rows: Int, width: Int,
                                  into norms: UnsafeMutablePointer<T>) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.memoryRowNorms(floats(memory), rows: rows, width: width, into: floats(norms))
    } else {
        MemoryKernels.rowNorms(memory, rows: rows, width: width, into: norms)
    }
}

/// `∂L/∂M(i, j) += a(i) k(j) − c(i) M(i, j)`.
@inline(__always)
func memoryCosineBackward<T: NTMScalar>(memory: UnsafePointer<T>, a: UnsafePointer<T>, c: UnsafePointer<T>,
                                        key: UnsafePointer<T>, rows: Int, width: Int,
                                        dMemory: UnsafeMutablePointer<T>) {
    if T.self == Float.self && KernelDispatch.useWide {
        WideKernels.memoryCosineBackward(memory: floats(memory), a: floats(a), c: floats(c), key: floats(key),
                                         rows: rows, width: width, dMemory: floats(dMemory))
    } else {
        MemoryKernels.cosineBackward(memory: memory, a: a, c: c, key: key, rows: rows, width: width,
                                     dMemory: dMemory)
    }
}
