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
    let shift = SIMD8<T>(repeating: maximum(x, count: count))
    mapLanes(x, y, count: count) { T.exp(lanes: $0 - shift) }
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

/// The largest of `count ≥ 1` values, eight lanes at a time (the maximum
/// does not depend on the order it is taken in; NaNs are passed over).
@inline(__always)
func maximum<T: NTMScalar>(_ x: UnsafePointer<T>, count: Int) -> T {
    var i = 0
    var largest = x[0]
    if count >= 8 {
        let values = UnsafeMutablePointer(mutating: x)
        var lanes = values.load8(0)
        i = 8
        while i &+ 8 <= count {
            lanes = pointwiseMax(lanes, values.load8(i))
            i &+= 8
        }
        largest = lanes.max()
    }
    while i < count {
        if x[i] > largest { largest = x[i] }
        i &+= 1
    }
    return largest
}

/// Backward of `y = softmax(x)`: `dx_i += y_i (dy_i − Σ_j y_j dy_j)`.
@inline(__always)
func softmaxBackward<T: NTMScalar>(_ y: UnsafePointer<T>, _ dy: UnsafePointer<T>,
                                   _ dx: UnsafeMutablePointer<T>, count: Int) {
    let inner = dot(y, dy, count: count)
    for i in 0..<count { dx[i] += y[i] * (dy[i] - inner) }
}
