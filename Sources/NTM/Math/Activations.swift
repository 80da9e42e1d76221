/// Scalar squashing functions and the softmax, each with the derivative the
/// backward pass needs, written in the form that cannot overflow.

/// `σ(x) = 1 / (1 + e^{−x})`, evaluated without overflow for either sign.
@inline(__always)
func sigmoid<T: NTMScalar>(_ x: T) -> T {
    if x >= 0 {
        return 1 / (1 + T.exp(-x))
    }
    let e = T.exp(x)
    return e / (1 + e)
}

/// `softplus(x) = log(1 + e^x)`; its derivative is `σ(x)`.
@inline(__always)
func softplus<T: NTMScalar>(_ x: T) -> T {
    x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x))
}

/// `y = softmax(x)` over `count` values, with the maximum subtracted.
@inline(__always)
func softmax<T: NTMScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
    expShifted(x, y, count: count, shift: maximum(x, count: count))
    // The normaliser is summed in index order, one serial chain. Summing it
    // eight lanes at a time was about 5 % faster per training sequence but
    // moves every trajectory; the default copy run's generalisation to
    // length 50 depends on its exact trajectory (docs/CLI.md), so the sum
    // stays as the documented runs were made with.
    var total: T = 0
    for i in 0..<count { total += y[i] }
    let inverse = 1 / total
    for i in 0..<count { y[i] *= inverse }
}

/// The largest of `count ≥ 1` values, in four independent running maxima
/// (the maximum does not depend on the order it is taken in; NaNs are
/// passed over). Plain comparisons: the standard library's `pointwiseMax`
/// on `SIMD8<T>` stays an unspecialised generic call here.
@inline(__always)
func maximum<T: NTMScalar>(_ x: UnsafePointer<T>, count: Int) -> T {
    var m0 = x[0], m1 = x[0], m2 = x[0], m3 = x[0]
    var i = 0
    while i &+ 4 <= count {
        if x[i] > m0 { m0 = x[i] }
        if x[i &+ 1] > m1 { m1 = x[i &+ 1] }
        if x[i &+ 2] > m2 { m2 = x[i &+ 2] }
        if x[i &+ 3] > m3 { m3 = x[i &+ 3] }
        i &+= 4
    }
    while i < count {
        if x[i] > m0 { m0 = x[i] }
        i &+= 1
    }
    if m1 > m0 { m0 = m1 }
    if m3 > m2 { m2 = m3 }
    return m2 > m0 ? m2 : m0
}

/// Backward of `y = softmax(x)`: `dx_i += y_i (dy_i − Σ_j y_j dy_j)`.
@inline(__always)
func softmaxBackward<T: NTMScalar>(_ y: UnsafePointer<T>, _ dy: UnsafePointer<T>,
                                   _ dx: UnsafeMutablePointer<T>, count: Int) {
    let inner = dot(y, dy, count: count)
    for i in 0..<count { dx[i] += y[i] * (dy[i] - inner) }
}

/// Debug builds: checks that `count` values are a probability distribution
/// (non-negative, summing to 1 within rounding), the invariant every
/// addressing stage keeps. Values that are not finite pass, because the
/// trainer detects those and refuses the update itself. Release builds
/// compile this away.
@inline(__always)
func assertDistribution<T: NTMScalar>(_ p: UnsafePointer<T>, count: Int, _ what: @autoclosure () -> String) {
    assert({
        var sum: T = 0
        for i in 0..<count {
            if p[i] < 0 { return false }
            sum += p[i]
        }
        return !sum.isFinite || (sum - 1).magnitude <= 1e-3
    }(), "\(what()) is not a probability distribution")
}
