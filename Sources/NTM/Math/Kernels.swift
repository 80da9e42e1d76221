/// Dense kernels on raw buffers. Matrices are stored column-major as
/// `rows × cols` (`W[i, j]` at `i + j * rows`), where `rows` is the output
/// width of a layer: the forward product is then a sequence of contiguous
/// axpys, which the compiler vectorises, and so is the weight-gradient
/// outer product. Index arithmetic uses wrapping operators so that no
/// overflow check blocks vectorisation; callers guarantee the sizes.

/// `y += W x`, four columns at a time so each pass over `y` adds four
/// columns' worth (one load and store of `y` per four columns instead of
/// per column); blocks of four zero inputs are skipped, since inputs of the
/// paper's tasks are sparse.
@inline(__always)
func matVecAccumulate<T: NTMScalar>(_ w: UnsafePointer<T>, rows: Int, cols: Int,
                                    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let blocked = cols & ~3
    var j = 0
    while j < blocked {
        let x0 = x[j], x1 = x[j &+ 1], x2 = x[j &+ 2], x3 = x[j &+ 3]
        if x0 != 0 || x1 != 0 || x2 != 0 || x3 != 0 {
            let c0 = UnsafeMutablePointer(mutating: w + j &* rows)
            let c1 = c0 + rows, c2 = c1 + rows, c3 = c2 + rows
            let v0 = Lanes<T>(repeating: x0), v1 = Lanes<T>(repeating: x1)
            let v2 = Lanes<T>(repeating: x2), v3 = Lanes<T>(repeating: x3)
            var i = 0
            while i &+ 8 <= rows {
                y.store8(y.load8(i) + (c0.load8(i) * v0 + c1.load8(i) * v1 + c2.load8(i) * v2 + c3.load8(i) * v3), i)
                i &+= 8
            }
            while i < rows {
                y[i] += c0[i] * x0 + c1[i] * x1 + c2[i] * x2 + c3[i] * x3
                i &+= 1
            }
        }
        j &+= 4
    }
    while j < cols {
        let xj = x[j]
        if xj != 0 { axpy(xj, w + j &* rows, y, count: rows) }
        j &+= 1
    }
}

/// `x += Wᵀ y` (the backward product of `matVecAccumulate`).
@inline(__always)
func matTransposeVecAccumulate<T: NTMScalar>(_ w: UnsafePointer<T>, rows: Int, cols: Int,
                                             _ y: UnsafePointer<T>, _ x: UnsafeMutablePointer<T>) {
    var j = 0
    while j < cols {
        x[j] += dot(w + j &* rows, y, count: rows)
        j &+= 1
    }
}

/// `W += y xᵀ` (the weight gradient of `matVecAccumulate`).
@inline(__always)
func outerAccumulate<T: NTMScalar>(_ w: UnsafeMutablePointer<T>, rows: Int, cols: Int,
                                   _ y: UnsafePointer<T>, _ x: UnsafePointer<T>) {
    var j = 0
    while j < cols {
        let xj = x[j]
        if xj != 0 {
            let column = w + j &* rows
            var i = 0
            while i < rows {
                column[i] += y[i] * xj
                i &+= 1
            }
        }
        j &+= 1
    }
}

/// `Σ a[i] b[i]`, eight lanes at a time: a float sum is never reassociated
/// for us, so a plain loop would be one serial chain of dependent additions.
@inline(__always)
func dot<T: NTMScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count: Int) -> T {
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
func axpy<T: NTMScalar>(_ alpha: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
    var i = 0
    while i < count {
        y[i] += alpha * x[i]
        i &+= 1
    }
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

/// `W += Σ_t a_t b_tᵀ` over `steps` time steps, with `a_t = a + t·aStride`
/// (`rows` values) and `b_t = b + t·bStride` (`cols` values): the weight
/// gradient of a layer over a whole sequence, formed once after BPTT instead
/// of as one rank-1 update per step. Each column of `W` then stays in L1
/// while four steps at a time are added into it, where per-step updates
/// would stream the whole matrix through the cache at every step.
func outerAccumulateSteps<T: NTMScalar>(_ w: UnsafeMutablePointer<T>, rows: Int, cols: Int,
                                        a: UnsafePointer<T>, aStride: Int,
                                        b: UnsafePointer<T>, bStride: Int, steps: Int) {
    let blocked = steps & ~3
    var j = 0
    while j < cols {
        let column = w + j &* rows
        let bj = b + j
        var t = 0
        while t < blocked {
            let b0 = bj[t &* bStride], b1 = bj[(t &+ 1) &* bStride]
            let b2 = bj[(t &+ 2) &* bStride], b3 = bj[(t &+ 3) &* bStride]
            let a0 = UnsafeMutablePointer(mutating: a + t &* aStride)
            let a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride
            let v0 = Lanes<T>(repeating: b0), v1 = Lanes<T>(repeating: b1)
            let v2 = Lanes<T>(repeating: b2), v3 = Lanes<T>(repeating: b3)
            var i = 0
            while i &+ 8 <= rows {
                let sum = a0.load8(i) * v0 + a1.load8(i) * v1 + a2.load8(i) * v2 + a3.load8(i) * v3
                column.store8(column.load8(i) + sum, i)
                i &+= 8
            }
            while i < rows {
                column[i] += a0[i] * b0 + a1[i] * b1 + a2[i] * b2 + a3[i] * b3
                i &+= 1
            }
            t &+= 4
        }
        while t < steps {
            axpy(bj[t &* bStride], a + t &* aStride, column, count: rows)
            t &+= 1
        }
        j &+= 1
    }
}

/// `y += Σ_t a_t` (`count` values each, `a_t = a + t·stride`): bias gradients.
func sumAccumulateSteps<T: NTMScalar>(_ y: UnsafeMutablePointer<T>, count: Int,
                                      a: UnsafePointer<T>, stride: Int, steps: Int) {
    for t in 0..<steps { addAccumulate(a + t &* stride, y, count: count) }
}
