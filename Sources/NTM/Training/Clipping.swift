/// Gradient clipping on the flat gradient buffer.
enum Clipping {
    /// Scales `g` so its L2 norm is at most `maxNorm`; returns the norm
    /// before scaling. The sum runs in `Double` in index order, so the
    /// result is the same whatever computed the gradient.
    @discardableResult
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func clipNorm<T: NTMScalar>(_ g: UnsafeMutableBufferPointer<T>, maxNorm: Double) -> Double {
        var sum: Double = 0
        for x in g { sum += Double(x) * Double(x) }
        let norm = sum.squareRoot()
        if norm > maxNorm {
            let scale = T(maxNorm / norm)
            for i in g.indices { g[i] *= scale }
        }
        return norm
    }

    /// Clamps every element of `g` to `[−limit, limit]`; NaN stays NaN so
    /// that the trainer can notice it.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func clipValues<T: NTMScalar>(_ g: UnsafeMutableBufferPointer<T>, limit: Double) {
        let high = T(limit), low = -high
        for i in g.indices {
            if g[i] > high { g[i] = high } else if g[i] < low { g[i] = low }
        }
    }
}
