/// The memory's element-wise passes on raw buffers, for the common case of
/// one write head: `MemoryAccess` and `Addressing` hold the equations and
/// call these for the loops. The memory is `N × M` column-major (`M(i, j)`
/// at `i + j·N`), so each pass runs down columns of `N` values.
///
/// Like `DenseKernels.swift`, this file has an AVX2 transcription in C
/// (`Sources/AVX2Kernels/memory_kernels.c`) that gives the same bits.
enum MemoryKernels {
    /// `M_t(i, j) = M_{t−1}(i, j) (1 − w(i) e(j)) + w(i) a(j)` (eq. 3–4).
    @inline(__always)
    static func write<T: DenseScalar>(previous: UnsafePointer<T>, weighting w: UnsafePointer<T>,
                                      erase: UnsafePointer<T>, add: UnsafePointer<T>,
                                      rows n: Int, width m: Int, into memory: UnsafeMutablePointer<T>) {
        for j in 0..<m {
            let column = memory + j &* n, previousColumn = previous + j &* n
            let e = erase[j], a = add[j]
            for i in 0..<n { column[i] = previousColumn[i] * (1 - w[i] * e) + a * w[i] }
        }
    }

    /// The backward pass of `write`: given `dM = ∂L/∂M_t`,
    ///   ∂L/∂M_{t−1}(i, j) += dM(i, j) (1 − w(i) e(j)),
    ///   ∂L/∂w(i) += Σ_j dM(i, j) (a(j) − M_{t−1}(i, j) e(j)),
    ///   ∂L/∂a(j) += Σ_i w(i) dM(i, j),   ∂L/∂e(j) −= Σ_i w(i) dM(i, j) M_{t−1}(i, j).
    /// `q` is scratch for `N` values.
    @inline(__always)
    static func writeBackward<T: DenseScalar>(dMemory: UnsafePointer<T>, previous: UnsafePointer<T>,
                                              weighting w: UnsafePointer<T>, erase: UnsafePointer<T>,
                                              add: UnsafePointer<T>, rows n: Int, width m: Int,
                                              dPrevious: UnsafeMutablePointer<T>, dWeighting: UnsafeMutablePointer<T>,
                                              dErase: UnsafeMutablePointer<T>, dAdd: UnsafeMutablePointer<T>,
                                              q: UnsafeMutablePointer<T>) {
        for j in 0..<m {
            let dColumn = dMemory + j &* n, previousColumn = previous + j &* n
            let dPreviousColumn = dPrevious + j &* n
            let e = erase[j], a = add[j]
            for i in 0..<n {
                let d = dColumn[i]
                let qi = d * previousColumn[i]
                q[i] = qi
                dPreviousColumn[i] += d * (1 - w[i] * e)
                dWeighting[i] += a * d - e * qi
            }
            dAdd[j] += Dense.dot(w, dColumn, count: n)
            dErase[j] -= Dense.dot(w, UnsafePointer(q), count: n)
        }
    }

    /// `‖M(i)‖` for every location: squares summed column by column, then
    /// one pass of roots (`magnitude` spares the root a negative-argument
    /// branch, so the pass vectorises).
    @inline(__always)
    static func rowNorms<T: DenseScalar>(_ memory: UnsafePointer<T>, rows n: Int, width m: Int,
                                         into norms: UnsafeMutablePointer<T>) {
        norms.update(repeating: 0, count: n)
        for j in 0..<m {
            let column = memory + j &* n
            for i in 0..<n { norms[i] += column[i] * column[i] }
        }
        for i in 0..<n { norms[i] = norms[i].magnitude.squareRoot() }
    }

    /// `∂L/∂M(i, j) += a(i) k(j) − c(i) M(i, j)`: the memory's part of the
    /// cosine similarity's backward pass (see `Addressing.backward`).
    @inline(__always)
    static func cosineBackward<T: DenseScalar>(memory: UnsafePointer<T>, a: UnsafePointer<T>, c: UnsafePointer<T>,
                                               key: UnsafePointer<T>, rows n: Int, width m: Int,
                                               dMemory: UnsafeMutablePointer<T>) {
        for j in 0..<m {
            let column = memory + j &* n, dColumn = dMemory + j &* n, kj = key[j]
            for i in 0..<n { dColumn[i] += a[i] * kj - c[i] * column[i] }
        }
    }
}
