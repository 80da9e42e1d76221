/// Writing (paper eq. 3–4) and reading (eq. 2) of the `N × M` memory, each
/// forward beside its backward.
///
/// The memory is stored column-major: `M(i, j)` at `i + j·N`, so column `j`
/// (component `j` of every location) is one contiguous run of `N` values.
/// Every loop here then runs over locations, `N` long (128 in the paper),
/// instead of along a location's `M` (20) values: long vectors for the
/// vector units, and reading and content addressing become the dense
/// matrix–vector products of `Kernels.swift`. The `memory0` parameter and
/// everything the C API and files expose stay `N × M` row-major; only the
/// step records use this layout.
struct MemoryAccess<T: NTMScalar> {
    let rows: Int    // N
    let width: Int   // M

    /// `M_t(i) = M_{t−1}(i) ⊙ Π_k (1 − w^k(i) e^k) + Σ_k w^k(i) a^k`: the
    /// erasures multiply and the adds sum, so the heads' order does not matter.
    /// The write heads' `w`, `e` and `a` are read from the step `record`.
    func write(previous: UnsafePointer<T>, record: UnsafePointer<T>, heads: ArraySlice<StepLayout.Head>,
               into memory: UnsafeMutablePointer<T>) {
        let n = rows, first = heads.startIndex
        if heads.count == 1 {
            let head = heads[first]
            memoryWrite(previous: previous, weighting: record + head.weighting, erase: record + head.erase,
                        add: record + head.add, rows: n, width: width, into: memory)
            return
        }
        let w0 = record + heads[first].weighting
        for j in 0..<width {
            let column = memory + j &* n, previousColumn = previous + j &* n
            // The first head's erase reads M_{t−1} and writes M_t: no separate copy.
            let e0 = record[heads[first].erase + j]
            for i in 0..<n { column[i] = previousColumn[i] * (1 - w0[i] * e0) }
            for head in heads.dropFirst() {
                let w = record + head.weighting, e = record[head.erase + j]
                for i in 0..<n { column[i] *= 1 - w[i] * e }
            }
            for head in heads { axpy(record[head.add + j], record + head.weighting, column, count: n) }
        }
    }

    /// Given `dMemory = ∂L/∂M_t`, accumulates `∂L/∂M_{t−1}` into
    /// `dPrevious`, and for write head `k` its `∂L/∂w` into
    /// `dWeightings + k·N` and its `∂L/∂e`, `∂L/∂a` into
    /// `dEraseAdd + 2kM` and `dEraseAdd + (2k+1)M`. With the factors
    /// `F_k(i,j) = 1 − w^k(i) e^k(j)`:
    ///   ∂M_t/∂M_{t−1} = Π_k F_k,   ∂M_t/∂a^k(j) = w^k(i),
    ///   ∂M_t/∂w^k(i) = a^k(j) − M_{t−1}(i,j) e^k(j) Π_{k'≠k} F_{k'}.
    /// The products without one head come from prefix and suffix products,
    /// never from dividing, since a factor may be exactly 0. `scratch`
    /// holds `2(W + 1)N` values for `W` write heads.
    func writeBackward(dMemory: UnsafePointer<T>, previous: UnsafePointer<T>, record: UnsafePointer<T>,
                       heads: ArraySlice<StepLayout.Head>, dPrevious: UnsafeMutablePointer<T>,
                       dWeightings: UnsafeMutablePointer<T>, dEraseAdd: UnsafeMutablePointer<T>,
                       scratch: UnsafeMutablePointer<T>) {
        let n = rows, m = width, count = heads.count, first = heads.startIndex
        if count == 1 {
            // One head: the product over the other heads is 1; the same
            // equations in fewer passes.
            let head = heads[first]
            memoryWriteBackward(dMemory: dMemory, previous: previous, weighting: record + head.weighting,
                                erase: record + head.erase, add: record + head.add, rows: n, width: m,
                                dPrevious: dPrevious, dWeighting: dWeightings, dErase: dEraseAdd,
                                dAdd: dEraseAdd + m, q: scratch)
            return
        }
        let factors = scratch, others = scratch + count &* n
        let suffix = others + count &* n, q = suffix + n
        for j in 0..<m {
            let dColumn = dMemory + j &* n, previousColumn = previous + j &* n
            let dPreviousColumn = dPrevious + j &* n
            for k in 0..<count {
                let head = heads[first + k]
                let w = record + head.weighting, e = record[head.erase + j], f = factors + k &* n
                for i in 0..<n { f[i] = 1 - w[i] * e }
            }
            // others_k = (F_0 ⋯ F_{k−1}) · (F_{k+1} ⋯ F_{W−1})
            for i in 0..<n { others[i] = 1 }
            for k in 1..<max(count, 1) {
                let o = others + k &* n, before = others + (k &- 1) &* n, f = factors + (k &- 1) &* n
                for i in 0..<n { o[i] = before[i] * f[i] }
            }
            for i in 0..<n { suffix[i] = 1 }
            for k in stride(from: count &- 1, through: 0, by: -1) {
                let o = others + k &* n, f = factors + k &* n
                for i in 0..<n {
                    o[i] *= suffix[i]
                    suffix[i] *= f[i]
                }
            }
            // suffix now holds Π_k F_k.
            for i in 0..<n { dPreviousColumn[i] += dColumn[i] * suffix[i] }
            for k in 0..<count {
                let head = heads[first + k]
                let w = record + head.weighting, o = others + k &* n, dWeighting = dWeightings + k &* n
                let e = record[head.erase + j], a = record[head.add + j]
                for i in 0..<n { q[i] = dColumn[i] * previousColumn[i] * o[i] }
                dEraseAdd[(2 &* k + 1) &* m + j] += dot(w, dColumn, count: n)
                dEraseAdd[2 &* k &* m + j] -= dot(w, q, count: n)
                for i in 0..<n { dWeighting[i] += a * dColumn[i] - e * q[i] }
            }
        }
    }

    /// Norms `‖M(i)‖` of every location, which the content addressing of
    /// the next heads divides by.
    func rowNorms(_ memory: UnsafePointer<T>, into norms: UnsafeMutablePointer<T>) {
        memoryRowNorms(memory, rows: rows, width: width, into: norms)
    }

    // MARK: Layout

    /// Copies a row-major `N × M` memory (`memory0`, files) into the
    /// records' column-major layout.
    func copy(rowMajor: UnsafePointer<T>, into memory: UnsafeMutablePointer<T>) {
        for i in 0..<rows {
            for j in 0..<width { memory[i + j * rows] = rowMajor[i * width + j] }
        }
    }

    /// Copies the records' column-major memory out as row-major `N × M`.
    func copy(_ memory: UnsafePointer<T>, intoRowMajor rowMajor: UnsafeMutablePointer<T>) {
        for i in 0..<rows {
            for j in 0..<width { rowMajor[i * width + j] = memory[i + j * rows] }
        }
    }

    /// Adds a column-major memory gradient into a row-major one.
    func accumulate(_ dMemory: UnsafePointer<T>, intoRowMajor dRowMajor: UnsafeMutablePointer<T>) {
        for i in 0..<rows {
            for j in 0..<width { dRowMajor[i * width + j] += dMemory[i + j * rows] }
        }
    }

    // MARK: Read

    /// `r = Mᵀ w`, i.e. `r = Σ_i w(i) M(i)`.
    func read(_ memory: UnsafePointer<T>, weighting: UnsafePointer<T>, into read: UnsafeMutablePointer<T>) {
        zero(read, count: width)
        matTransposeVecAccumulate(memory, rows: rows, cols: width, weighting, read)
    }

    /// `∂L/∂w += M dr`, `∂L/∂M += w drᵀ`.
    func readBackward(dRead: UnsafePointer<T>, memory: UnsafePointer<T>, weighting: UnsafePointer<T>,
                      dWeighting: UnsafeMutablePointer<T>, dMemory: UnsafeMutablePointer<T>) {
        matVecAccumulate(memory, rows: rows, cols: width, dRead, dWeighting)
        outerAccumulateSteps(dMemory, rows: rows, cols: width, a: weighting, aStride: 0, b: dRead, bStride: 0, steps: 1)
    }
}
