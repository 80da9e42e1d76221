/// Writing (paper eq. 3–4) and reading (eq. 2) of the `N × M` memory, each
/// forward beside its backward. Memory is row-major: location `i` is the
/// contiguous row `M[i*M ..< (i+1)*M]`.
struct MemoryAccess<T: NTMScalar> {
    let rows: Int    // N
    let width: Int   // M

    /// `M_t(i) = M_{t−1}(i) ⊙ Π_k (1 − w^k(i) e^k) + Σ_k w^k(i) a^k`: the
    /// erasures multiply and the adds sum, so the heads' order does not matter.
    /// The write heads' `w`, `e` and `a` are read from the step `record`.
    func write(previous: UnsafePointer<T>, record: UnsafePointer<T>, heads: ArraySlice<StepLayout.Head>,
               into memory: UnsafeMutablePointer<T>) {
        let n = rows, m = width
        copyValues(previous, memory, count: n * m)
        for i in 0..<n {
            let row = memory + i &* m
            for head in heads {
                let w = record[head.weighting + i], erase = record + head.erase
                for j in 0..<m { row[j] *= 1 - w * erase[j] }
            }
            for head in heads { axpy(record[head.weighting + i], record + head.add, row, count: m) }
        }
    }

    /// Given `dMemory = ∂L/∂M_t`, accumulates `∂L/∂M_{t−1}` into
    /// `dPrevious`, and for write head `k` its `∂L/∂w` into
    /// `dWeightings + k·N` and its `∂L/∂e`, `∂L/∂a` into
    /// `dEraseAdd + 2kM` and `dEraseAdd + (2k+1)M`:
    ///   ∂M_t/∂a^k(j) = w^k(i),  ∂M_t/∂w^k(i) = a^k(j) − M_{t−1} e^k(j) Π_{k'≠k}(1 − w^{k'} e^{k'}),
    ///   ∂M_t/∂M_{t−1} = Π_k (1 − w^k e^k).
    /// The product without head `k` is formed directly, never by dividing,
    /// since a factor may be exactly 0.
    func writeBackward(dMemory: UnsafePointer<T>, previous: UnsafePointer<T>, record: UnsafePointer<T>,
                       heads: ArraySlice<StepLayout.Head>, dPrevious: UnsafeMutablePointer<T>,
                       dWeightings: UnsafeMutablePointer<T>, dEraseAdd: UnsafeMutablePointer<T>) {
        let n = rows, m = width
        let first = heads.startIndex
        for i in 0..<n {
            let dRow = dMemory + i &* m, previousRow = previous + i &* m, dPreviousRow = dPrevious + i &* m
            for k in heads.indices {
                let head = heads[k], slot = k - first
                let w = record[head.weighting + i], erase = record + head.erase
                let dErase = dEraseAdd + (2 &* slot) &* m, dAdd = dErase + m
                // Add: ∂/∂a^k(j) += w^k(i) dM(i,j); ∂/∂w^k(i) += a^k · dM(i).
                axpy(w, dRow, dAdd, count: m)
                var dw = dot(record + head.add, dRow, count: m)
                // Erase.
                for j in 0..<m {
                    var others = dRow[j] * previousRow[j]
                    for k2 in heads.indices where k2 != k {
                        others *= 1 - record[heads[k2].weighting + i] * record[heads[k2].erase + j]
                    }
                    dw -= others * erase[j]
                    dErase[j] -= others * w
                }
                dWeightings[slot &* n + i] += dw
            }
            for j in 0..<m {
                var keep = dRow[j]
                for head in heads { keep *= 1 - record[head.weighting + i] * record[head.erase + j] }
                dPreviousRow[j] += keep
            }
        }
    }

    /// Norms `‖M(i)‖` of every row, which the content addressing of the next
    /// heads divides by.
    func rowNorms(_ memory: UnsafePointer<T>, into norms: UnsafeMutablePointer<T>) {
        for i in 0..<rows {
            let row = memory + i &* width
            norms[i] = T.sqrt(dot(row, row, count: width))
        }
    }

    // MARK: Read

    /// `r = Σ_i w(i) M(i)`
    func read(_ memory: UnsafePointer<T>, weighting: UnsafePointer<T>, into read: UnsafeMutablePointer<T>) {
        zero(read, count: width)
        for i in 0..<rows { axpy(weighting[i], memory + i &* width, read, count: width) }
    }

    /// `∂L/∂w(i) += M(i)·dr`, `∂L/∂M(i) += w(i) dr`.
    func readBackward(dRead: UnsafePointer<T>, memory: UnsafePointer<T>, weighting: UnsafePointer<T>,
                      dWeighting: UnsafeMutablePointer<T>, dMemory: UnsafeMutablePointer<T>) {
        for i in 0..<rows {
            dWeighting[i] += dot(memory + i &* width, dRead, count: width)
            axpy(weighting[i], dRead, dMemory + i &* width, count: width)
        }
    }
}
