/// Dense kernels on raw buffers. Matrices are stored column-major as
/// `rows × cols` (`W[i, j]` at `i + j * rows`), where `rows` is the output
/// width of a layer: the forward product is then a sequence of contiguous
/// axpys, which the compiler vectorises, and so is the weight-gradient
/// outer product. Index arithmetic uses wrapping operators so that no
/// overflow check blocks vectorisation; callers guarantee the sizes.

/// `y += W x`
@inline(__always)
func matVecAccumulate<T: NTMScalar>(_ w: UnsafePointer<T>, rows: Int, cols: Int,
                                    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    var j = 0
    while j < cols {
        let xj = x[j]
        if xj != 0 {
            let column = w + j &* rows
            var i = 0
            while i < rows {
                y[i] += column[i] * xj
                i &+= 1
            }
        }
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
