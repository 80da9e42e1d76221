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
        let n = rows, m = width, first = heads.startIndex
        for i in 0..<n {
            let row = memory + i &* m, previousRow = previous + i &* m
            // The first head's erase reads M_{t−1} and writes M_t: no separate copy.
            let w0 = record[heads[first].weighting + i], erase0 = record + heads[first].erase
            for j in 0..<m { row[j] = previousRow[j] * (1 - w0 * erase0[j]) }
            for head in heads.dropFirst() {
                let w = record[head.weighting + i], erase = record + head.erase
                for j in 0..<m { row[j] *= 1 - w * erase[j] }
            }
            for head in heads { axpy(record[head.weighting + i], record + head.add, row, count: m) }
        }
    }

    /// Scratch `writeBackward` needs for `heads` write heads.
    func writeBackwardScratchSize(heads: Int) -> Int { 2 * heads * width + 2 * width }

    /// Given `dMemory = ∂L/∂M_t`, accumulates `∂L/∂M_{t−1}` into
    /// `dPrevious`, and for write head `k` its `∂L/∂w` into
    /// `dWeightings + k·N` and its `∂L/∂e`, `∂L/∂a` into
    /// `dEraseAdd + 2kM` and `dEraseAdd + (2k+1)M`. With the factors
    /// `F_k(i,j) = 1 − w^k(i) e^k(j)`:
    ///   ∂M_t/∂M_{t−1} = Π_k F_k,   ∂M_t/∂a^k(j) = w^k(i),
    ///   ∂M_t/∂w^k(i) = a^k(j) − M_{t−1}(i,j) e^k(j) Π_{k'≠k} F_{k'}.
    /// The products without one head come from prefix and suffix products,
    /// never from dividing, since a factor may be exactly 0.
    func writeBackward(dMemory: UnsafePointer<T>, previous: UnsafePointer<T>, record: UnsafePointer<T>,
                       heads: ArraySlice<StepLayout.Head>, dPrevious: UnsafeMutablePointer<T>,
                       dWeightings: UnsafeMutablePointer<T>, dEraseAdd: UnsafeMutablePointer<T>,
                       scratch: UnsafeMutablePointer<T>) {
        let n = rows, m = width, count = heads.count, first = heads.startIndex
        if count == 1 {
            writeBackwardOneHead(dMemory: dMemory, previous: previous, record: record, head: heads[first],
                                 dPrevious: dPrevious, dWeighting: dWeightings, dEraseAdd: dEraseAdd, q: scratch)
            return
        }
        let factors = scratch, others = scratch + count &* m
        let suffix = others + count &* m, q = suffix + m
        for i in 0..<n {
            let dRow = dMemory + i &* m, previousRow = previous + i &* m, dPreviousRow = dPrevious + i &* m
            for k in 0..<count {
                let head = heads[first + k]
                let w = record[head.weighting + i], erase = record + head.erase, f = factors + k &* m
                for j in 0..<m { f[j] = 1 - w * erase[j] }
            }
            // others_k = (F_0 ⋯ F_{k−1}) · (F_{k+1} ⋯ F_{W−1})
            for j in 0..<m { others[j] = 1 }
            for k in 1..<max(count, 1) {
                let o = others + k &* m, before = others + (k &- 1) &* m, f = factors + (k &- 1) &* m
                for j in 0..<m { o[j] = before[j] * f[j] }
            }
            for j in 0..<m { suffix[j] = 1 }
            for k in stride(from: count &- 1, through: 0, by: -1) {
                let o = others + k &* m, f = factors + k &* m
                for j in 0..<m {
                    o[j] *= suffix[j]
                    suffix[j] *= f[j]
                }
            }
            // suffix now holds Π_k F_k.
            for j in 0..<m { dPreviousRow[j] += dRow[j] * suffix[j] }
            for k in 0..<count {
                let head = heads[first + k]
                let w = record[head.weighting + i], o = others + k &* m
                let dErase = dEraseAdd + (2 &* k) &* m, dAdd = dErase + m
                axpy(w, dRow, dAdd, count: m)
                for j in 0..<m { q[j] = dRow[j] * previousRow[j] * o[j] }
                axpy(-w, q, dErase, count: m)
                dWeightings[k &* n + i] += dot(record + head.add, dRow, count: m) - dot(q, record + head.erase, count: m)
            }
        }
    }

    /// `writeBackward` for the common single write head, where the product
    /// over the other heads is 1: the same equations, fewer passes.
    private func writeBackwardOneHead(dMemory: UnsafePointer<T>, previous: UnsafePointer<T>,
                                      record: UnsafePointer<T>, head: StepLayout.Head,
                                      dPrevious: UnsafeMutablePointer<T>, dWeighting: UnsafeMutablePointer<T>,
                                      dEraseAdd: UnsafeMutablePointer<T>, q: UnsafeMutablePointer<T>) {
        let m = width
        let erase = record + head.erase, add = record + head.add
        let dErase = dEraseAdd, dAdd = dEraseAdd + m
        for i in 0..<rows {
            let dRow = dMemory + i &* m, previousRow = previous + i &* m, dPreviousRow = dPrevious + i &* m
            let w = record[head.weighting + i]
            for j in 0..<m {
                let d = dRow[j]
                dPreviousRow[j] += d * (1 - w * erase[j])
                q[j] = d * previousRow[j]
                dAdd[j] += w * d
                dErase[j] -= w * q[j]
            }
            dWeighting[i] += dot(add, dRow, count: m) - dot(q, erase, count: m)
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
