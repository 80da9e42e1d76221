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

/// `Σ a[i] b[i]` with four partial sums, so the loop is not one serial chain
/// of dependent additions (a float sum is never reassociated for us).
@inline(__always)
func dot<T: NTMScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count: Int) -> T {
    var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
    var i = 0
    while i &+ 4 <= count {
        s0 += a[i] * b[i]
        s1 += a[i &+ 1] * b[i &+ 1]
        s2 += a[i &+ 2] * b[i &+ 2]
        s3 += a[i &+ 3] * b[i &+ 3]
        i &+= 4
    }
    while i < count {
        s0 += a[i] * b[i]
        i &+= 1
    }
    return (s0 + s1) + (s2 + s3)
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
