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
    var maximum = x[0]
    for i in 1..<count where x[i] > maximum { maximum = x[i] }
    let shift = SIMD8<T>(repeating: maximum)
    mapLanes(x, y, count: count) { T.exp(lanes: $0 - shift) }
    var sum: T = 0
    for i in 0..<count { sum += y[i] }
    let inverse = 1 / sum
    for i in 0..<count { y[i] *= inverse }
}

/// Backward of `y = softmax(x)`: `dx_i += y_i (dy_i − Σ_j y_j dy_j)`.
@inline(__always)
func softmaxBackward<T: NTMScalar>(_ y: UnsafePointer<T>, _ dy: UnsafePointer<T>,
                                   _ dx: UnsafeMutablePointer<T>, count: Int) {
    let inner = dot(y, dy, count: count)
    for i in 0..<count { dx[i] += y[i] * (dy[i] - inner) }
}
