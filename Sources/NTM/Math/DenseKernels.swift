/// The dense kernels the layers spend their time in: matrix–vector
/// products, their transposes, and weight-gradient outer products.
/// Matrices are stored column-major as `rows × cols` (`W[i, j]` at
/// `i + j * rows`), where `rows` is the output width of a layer: the forward
/// product is then a sequence of contiguous axpys, which the compiler
/// vectorises, and so is the weight-gradient outer product. Index arithmetic
/// uses wrapping operators so that no overflow check blocks vectorisation;
/// callers guarantee the sizes.
///
/// This is the reference and the baseline x86-64 build. The AVX2 build,
/// which `Kernels.swift` dispatches to at run time, is its transcription
/// into C (`Sources/AVX2Kernels/dense_kernels.c`). Neither contracts a
/// multiply and an add into an FMA, and both sum in the order written here,
/// so the two give bit-identical results (checked by `WideKernelTests`):
/// change one, change the other.
typealias DenseScalar = BinaryFloatingPoint & SIMDScalar

enum Dense {
    @inline(__always)
    static func load8<T: DenseScalar>(_ p: UnsafePointer<T>, _ offset: Int) -> SIMD8<T> {
        UnsafeRawPointer(p + offset).loadUnaligned(as: SIMD8<T>.self)
    }

    @inline(__always)
    static func load8<T: DenseScalar>(_ p: UnsafeMutablePointer<T>, _ offset: Int) -> SIMD8<T> {
        UnsafeRawPointer(p + offset).loadUnaligned(as: SIMD8<T>.self)
    }

    @inline(__always)
    static func store8<T: DenseScalar>(_ v: SIMD8<T>, _ p: UnsafeMutablePointer<T>, _ offset: Int) {
        UnsafeMutableRawPointer(p + offset).storeBytes(of: v, as: SIMD8<T>.self)
    }

    /// `y += W x`, four columns at a time so each pass over `y` adds four
    /// columns' worth (one load and store of `y` per four columns instead of
    /// per column); blocks of four zero inputs are skipped, since inputs of the
    /// paper's tasks are sparse.
    @inline(__always)
    static func matVecAccumulate<T: DenseScalar>(_ w: UnsafePointer<T>, rows: Int, cols: Int,
                                                 _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
        let blocked = cols & ~3
        var j = 0
        while j < blocked {
            let x0 = x[j], x1 = x[j &+ 1], x2 = x[j &+ 2], x3 = x[j &+ 3]
            if x0 != 0 || x1 != 0 || x2 != 0 || x3 != 0 {
                let c0 = w + j &* rows
                accumulateFour(y, rows: rows, c0, c0 + rows, c0 + 2 &* rows, c0 + 3 &* rows, x0, x1, x2, x3)
            }
            j &+= 4
        }
        while j < cols {
            let xj = x[j]
            if xj != 0 { axpy(xj, w + j &* rows, y, count: rows) }
            j &+= 1
        }
    }

    /// `y += c0 s0 + c1 s1 + c2 s2 + c3 s3` over `rows` values: four columns
    /// added in one pass over `y`, the inner loop of both products below.
    @inline(__always)
    static func accumulateFour<T: DenseScalar>(_ y: UnsafeMutablePointer<T>, rows: Int,
                                               _ c0: UnsafePointer<T>, _ c1: UnsafePointer<T>,
                                               _ c2: UnsafePointer<T>, _ c3: UnsafePointer<T>,
                                               _ s0: T, _ s1: T, _ s2: T, _ s3: T) {
        let p0 = UnsafeMutablePointer(mutating: c0), p1 = UnsafeMutablePointer(mutating: c1)
        let p2 = UnsafeMutablePointer(mutating: c2), p3 = UnsafeMutablePointer(mutating: c3)
        let v0 = SIMD8<T>(repeating: s0), v1 = SIMD8<T>(repeating: s1)
        let v2 = SIMD8<T>(repeating: s2), v3 = SIMD8<T>(repeating: s3)
        var i = 0
        while i &+ 8 <= rows {
            let first: SIMD8<T> = load8(p0, i) * v0 + load8(p1, i) * v1
            let sum: SIMD8<T> = first + load8(p2, i) * v2 + load8(p3, i) * v3
            store8(load8(y, i) + sum, y, i)
            i &+= 8
        }
        while i < rows {
            y[i] += c0[i] * s0 + c1[i] * s1 + c2[i] * s2 + c3[i] * s3
            i &+= 1
        }
    }

    /// `x += Wᵀ y` (the backward product of `matVecAccumulate`).
    @inline(__always)
    static func matTransposeVecAccumulate<T: DenseScalar>(_ w: UnsafePointer<T>, rows: Int, cols: Int,
                                                          _ y: UnsafePointer<T>, _ x: UnsafeMutablePointer<T>) {
        let blocked = cols & ~3
        var j = 0
        while j < blocked {
            let c0 = w + j &* rows
            let sums = dotFour(c0, c0 + rows, c0 + 2 &* rows, c0 + 3 &* rows, y, count: rows)
            x[j] += sums[0]
            x[j &+ 1] += sums[1]
            x[j &+ 2] += sums[2]
            x[j &+ 3] += sums[3]
            j &+= 4
        }
        while j < cols {
            x[j] += dot(w + j &* rows, y, count: rows)
            j &+= 1
        }
    }

    /// `accumulateFour` into two vectors `y_a`, `y_b`, each with its own four
    /// scalars, loading the four columns once: each sum formed in
    /// `accumulateFour`'s order (so with its bits).
    @inline(__always)
    static func accumulateFourIntoTwo<T: DenseScalar>(_ ya: UnsafeMutablePointer<T>, _ yb: UnsafeMutablePointer<T>,
                                                      rows: Int,
                                                      _ c0: UnsafePointer<T>, _ c1: UnsafePointer<T>,
                                                      _ c2: UnsafePointer<T>, _ c3: UnsafePointer<T>,
                                                      _ a0: T, _ a1: T, _ a2: T, _ a3: T,
                                                      _ b0: T, _ b1: T, _ b2: T, _ b3: T) {
        let va0 = SIMD8<T>(repeating: a0), va1 = SIMD8<T>(repeating: a1)
        let va2 = SIMD8<T>(repeating: a2), va3 = SIMD8<T>(repeating: a3)
        let vb0 = SIMD8<T>(repeating: b0), vb1 = SIMD8<T>(repeating: b1)
        let vb2 = SIMD8<T>(repeating: b2), vb3 = SIMD8<T>(repeating: b3)
        var i = 0
        while i &+ 8 <= rows {
            let w0 = load8(c0, i), w1 = load8(c1, i), w2 = load8(c2, i), w3 = load8(c3, i)
            let firstA: SIMD8<T> = w0 * va0 + w1 * va1
            let sumA: SIMD8<T> = firstA + w2 * va2 + w3 * va3
            let firstB: SIMD8<T> = w0 * vb0 + w1 * vb1
            let sumB: SIMD8<T> = firstB + w2 * vb2 + w3 * vb3
            store8(load8(ya, i) + sumA, ya, i)
            store8(load8(yb, i) + sumB, yb, i)
            i &+= 8
        }
        while i < rows {
            ya[i] += c0[i] * a0 + c1[i] * a1 + c2[i] * a2 + c3[i] * a3
            yb[i] += c0[i] * b0 + c1[i] * b1 + c2[i] * b2 + c3[i] * b3
            i &+= 1
        }
    }

    /// `dot(c_k, y)` for four columns at once, each summed in exactly
    /// `dot`'s order (so with `dot`'s bits), loading `y` once for all four.
    @inline(__always)
    static func dotFour<T: DenseScalar>(_ c0: UnsafePointer<T>, _ c1: UnsafePointer<T>,
                                        _ c2: UnsafePointer<T>, _ c3: UnsafePointer<T>,
                                        _ y: UnsafePointer<T>, count: Int) -> SIMD4<T> {
        var i = 0
        var sums = SIMD4<T>()
        if count >= 8 {
            var low0 = SIMD8<T>(), low1 = SIMD8<T>(), low2 = SIMD8<T>(), low3 = SIMD8<T>()
            var high0 = SIMD8<T>(), high1 = SIMD8<T>(), high2 = SIMD8<T>(), high3 = SIMD8<T>()
            while i &+ 16 <= count {
                let y0 = load8(y, i), y1 = load8(y, i &+ 8)
                low0 += load8(c0, i) * y0
                high0 += load8(c0, i &+ 8) * y1
                low1 += load8(c1, i) * y0
                high1 += load8(c1, i &+ 8) * y1
                low2 += load8(c2, i) * y0
                high2 += load8(c2, i &+ 8) * y1
                low3 += load8(c3, i) * y0
                high3 += load8(c3, i &+ 8) * y1
                i &+= 16
            }
            if i &+ 8 <= count {
                let y0 = load8(y, i)
                low0 += load8(c0, i) * y0
                low1 += load8(c1, i) * y0
                low2 += load8(c2, i) * y0
                low3 += load8(c3, i) * y0
                i &+= 8
            }
            sums = SIMD4((low0 + high0).sum(), (low1 + high1).sum(), (low2 + high2).sum(), (low3 + high3).sum())
        }
        while i < count {
            let yi = y[i]
            sums[0] += c0[i] * yi
            sums[1] += c1[i] * yi
            sums[2] += c2[i] * yi
            sums[3] += c3[i] * yi
            i &+= 1
        }
        return sums
    }

    /// `Σ a[i] b[i]`, eight lanes at a time: a float sum is never reassociated
    /// for us, so a plain loop would be one serial chain of dependent additions.
    @inline(__always)
    static func dot<T: DenseScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count: Int) -> T {
        var i = 0
        var sum: T = 0
        if count >= 8 {
            let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
            let stride = MemoryLayout<T>.stride
            var acc0 = SIMD8<T>(), acc1 = SIMD8<T>()
            while i &+ 16 <= count {
                acc0 += ra.loadUnaligned(fromByteOffset: i &* stride, as: SIMD8<T>.self)
                    * rb.loadUnaligned(fromByteOffset: i &* stride, as: SIMD8<T>.self)
                acc1 += ra.loadUnaligned(fromByteOffset: (i &+ 8) &* stride, as: SIMD8<T>.self)
                    * rb.loadUnaligned(fromByteOffset: (i &+ 8) &* stride, as: SIMD8<T>.self)
                i &+= 16
            }
            if i &+ 8 <= count {
                acc0 += ra.loadUnaligned(fromByteOffset: i &* stride, as: SIMD8<T>.self)
                    * rb.loadUnaligned(fromByteOffset: i &* stride, as: SIMD8<T>.self)
                i &+= 8
            }
            sum = (acc0 + acc1).sum()
        }
        while i < count {
            sum += a[i] * b[i]
            i &+= 1
        }
        return sum
    }

    /// `y += alpha x`
    @inline(__always)
    static func axpy<T: DenseScalar>(_ alpha: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
        var i = 0
        while i < count {
            y[i] += alpha * x[i]
            i &+= 1
        }
    }

    /// `W += Σ_t a_t b_tᵀ` over `steps` time steps, with `a_t = a + t·aStride`
    /// (`rows` values) and `b_t = b + t·bStride` (`cols` values): the weight
    /// gradient of a layer over a whole sequence, formed once after BPTT instead
    /// of as one rank-1 update per step. Two columns of `W` stay in L1 while
    /// four steps at a time are added into them (each step's `a_t` loaded once
    /// for both), where per-step updates would stream the whole matrix
    /// through the cache at every step. Every element is summed in the same
    /// order whichever column it is in: four steps at a time, then one by one.
    @inline(__always)
    static func outerAccumulateSteps<T: DenseScalar>(_ w: UnsafeMutablePointer<T>, rows: Int, cols: Int,
                                                     a: UnsafePointer<T>, aStride: Int,
                                                     b: UnsafePointer<T>, bStride: Int, steps: Int) {
        let blocked = steps & ~3
        var j = 0
        while j &+ 2 <= cols {
            let column = w + j &* rows, next = column + rows
            var t = 0
            while t < blocked {
                let b0 = b + (j &+ t &* bStride), b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride
                let a0 = a + t &* aStride
                accumulateFourIntoTwo(column, next, rows: rows, a0, a0 + aStride, a0 + 2 &* aStride, a0 + 3 &* aStride,
                                      b0[0], b1[0], b2[0], b3[0], b0[1], b1[1], b2[1], b3[1])
                t &+= 4
            }
            while t < steps {
                let bt = b + (j &+ t &* bStride), at = a + t &* aStride
                axpy(bt[0], at, column, count: rows)
                axpy(bt[1], at, next, count: rows)
                t &+= 1
            }
            j &+= 2
        }
        if j < cols {
            let column = w + j &* rows
            var t = 0
            while t < blocked {
                let b0 = b + (j &+ t &* bStride), b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride
                let a0 = a + t &* aStride
                accumulateFour(column, rows: rows, a0, a0 + aStride, a0 + 2 &* aStride, a0 + 3 &* aStride,
                               b0[0], b1[0], b2[0], b3[0])
                t &+= 4
            }
            while t < steps {
                axpy(b[j &+ t &* bStride], a + t &* aStride, column, count: rows)
                t &+= 1
            }
        }
    }
}
