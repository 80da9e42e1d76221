/// The element-wise passes of the optimisers and of gradient clipping: each
/// runs over the whole flat parameter or gradient buffer once per update.
///
/// Like `DenseKernels.swift`, this file has an AVX2 transcription in C
/// (`Sources/AVX2Kernels/optimizer_kernels.c`), which the callers pick at
/// run time for `Float`. Every value is computed by the same IEEE
/// operations in the same order in both (no FMA contraction, no
/// reassociation), so they give the same bits, checked by
/// `WideKernelTests`.
///
/// The loops over several buffers step eight values at a time through
/// explicit `SIMD8` loads and stores: the compiler cannot prove the buffers
/// apart, so it would not vectorise the plain loop. The scalar tail does the
/// same arithmetic per element, so where an element falls does not change it.
enum OptimizerKernels {
    /// Graves (2013), eqs. 38–41, over `count` values:
    ///   n ← ℵ n + (1−ℵ) g²,  ḡ ← ℵ ḡ + (1−ℵ) g,
    ///   Δ ← ℶ Δ − ℷ g / √(n − ḡ² + ℸ),  w ← w + Δ.
    /// One pass: each value's running averages, root and momentum step are
    /// computed together, the root lane by lane in `squareRoots` (vector
    /// square roots), so no intermediate goes through memory.
    @inline(__always)
    static func rmspropUpdate<T: DenseScalar>(_ w: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>,
                                              n: UnsafeMutablePointer<T>, mean: UnsafeMutablePointer<T>,
                                              delta: UnsafeMutablePointer<T>,
                                              count: Int, decay: T, momentum: T, rate: T, epsilon: T) {
        let keep = 1 - decay   // 1−ℵ: the same rounding whether formed once or per lane
        let vDecay = SIMD8<T>(repeating: decay), vKeep = SIMD8<T>(repeating: keep)
        let vEpsilon = SIMD8<T>(repeating: epsilon)
        let vMomentum = SIMD8<T>(repeating: momentum), vRate = SIMD8<T>(repeating: rate)
        var i = 0
        while i &+ 8 <= count {
            let gi = Dense.load8(g, i)
            let ni = vDecay * Dense.load8(n, i) + vKeep * gi * gi
            let mi = vDecay * Dense.load8(mean, i) + vKeep * gi
            let root = squareRoots(ni - mi * mi + vEpsilon)
            let di = vMomentum * Dense.load8(delta, i) - vRate * gi / root
            Dense.store8(ni, n, i)
            Dense.store8(mi, mean, i)
            Dense.store8(di, delta, i)
            Dense.store8(Dense.load8(w, i) + di, w, i)
            i &+= 8
        }
        while i < count {
            let gi = g[i]
            let ni = decay * n[i] + keep * gi * gi
            let mi = decay * mean[i] + keep * gi
            let root = (ni - mi * mi + epsilon).magnitude.squareRoot()
            let di = momentum * delta[i] - rate * gi / root
            n[i] = ni
            mean[i] = mi
            delta[i] = di
            w[i] = w[i] + di
            i &+= 1
        }
    }

    /// Adam (Kingma & Ba, 2015) over `count` values, with the bias
    /// corrections `c1 = 1−β₁ᵗ`, `c2 = 1−β₂ᵗ` given:
    ///   m ← β₁ m + (1−β₁) g,  v ← β₂ v + (1−β₂) g²,
    ///   w ← w − η (m / c1) / (√(v / c2) + ε).
    /// One pass: each value's moments, √v̂ (lane by lane in `squareRoots`)
    /// and step are computed together, so no intermediate goes through
    /// memory.
    @inline(__always)
    static func adamUpdate<T: DenseScalar>(_ w: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>,
                                           m: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>,
                                           count: Int,
                                           beta1: T, beta2: T, rate: T, epsilon: T, c1: T, c2: T) {
        let keep1 = 1 - beta1, keep2 = 1 - beta2   // 1−β₁, 1−β₂
        let vBeta1 = SIMD8<T>(repeating: beta1), vKeep1 = SIMD8<T>(repeating: keep1)
        let vBeta2 = SIMD8<T>(repeating: beta2), vKeep2 = SIMD8<T>(repeating: keep2)
        let vC1 = SIMD8<T>(repeating: c1), vC2 = SIMD8<T>(repeating: c2)
        let vRate = SIMD8<T>(repeating: rate), vEpsilon = SIMD8<T>(repeating: epsilon)
        var i = 0
        while i &+ 8 <= count {
            let gi = Dense.load8(g, i)
            let mi = vBeta1 * Dense.load8(m, i) + vKeep1 * gi
            let vi = vBeta2 * Dense.load8(v, i) + vKeep2 * gi * gi
            let root = squareRoots(vi / vC2)
            let step = vRate * (mi / vC1) / (root + vEpsilon)
            Dense.store8(mi, m, i)
            Dense.store8(vi, v, i)
            Dense.store8(Dense.load8(w, i) - step, w, i)
            i &+= 8
        }
        while i < count {
            let gi = g[i]
            let mi = beta1 * m[i] + keep1 * gi
            let vi = beta2 * v[i] + keep2 * gi * gi
            let root = (vi / c2).magnitude.squareRoot()
            m[i] = mi
            v[i] = vi
            w[i] = w[i] - rate * (mi / c1) / (root + epsilon)
            i &+= 1
        }
    }

    /// `√|x|` in each lane. The callers' radicands are non-negative in exact
    /// arithmetic; taking the magnitude first lets the compiler drop the C
    /// `errno` path of `sqrt` for negative inputs, so that the eight roots
    /// become vector square roots (`sqrtps`, `vsqrtps` in the AVX2 build),
    /// and keeps a negative rounding error from becoming a NaN. Written lane
    /// by lane because `SIMD8` has no `magnitude`; the scalar tails take the
    /// same `x.magnitude.squareRoot()`, so the bits do not depend on where an
    /// element falls.
    @inline(__always)
    static func squareRoots<T: DenseScalar>(_ x: SIMD8<T>) -> SIMD8<T> {
        SIMD8<T>(x[0].magnitude.squareRoot(), x[1].magnitude.squareRoot(),
                 x[2].magnitude.squareRoot(), x[3].magnitude.squareRoot(),
                 x[4].magnitude.squareRoot(), x[5].magnitude.squareRoot(),
                 x[6].magnitude.squareRoot(), x[7].magnitude.squareRoot())
    }

    /// Scales `g` so that its L2 norm is at most `maxNorm`; returns the norm
    /// before scaling.
    ///
    /// The sum of squares runs in `Double` whatever `T` is: a `Float` sum over
    /// tens of thousands of values would lose low bits at every addition, and
    /// a `Float` square overflows beyond 1.8e19. Its order is fixed, so that
    /// the result depends on neither the build nor the thread count: sixteen
    /// lanes, lane `k` summing `x[i]²` for `i ≡ k (mod 16)` in index order
    /// over the first `count − count mod 16` values; the lanes then added
    /// pairwise, `(k, k+8)`, `(k, k+4)`, `(k, k+2)`, `(0, 1)`; then the last
    /// `count mod 16` squares one by one in index order. Sixteen independent
    /// sums keep the adders busy where a single running sum would be one long
    /// chain of dependent additions.
    @inline(__always)
    static func clipNorm<T: DenseScalar>(_ g: UnsafeMutablePointer<T>, count: Int, maxNorm: Double) -> Double {
        var acc0 = SIMD8<Double>(), acc1 = SIMD8<Double>()
        var i = 0
        while i &+ 16 <= count {
            let x0 = doubles(Dense.load8(g, i)), x1 = doubles(Dense.load8(g, i &+ 8))
            acc0 += x0 * x0
            acc1 += x1 * x1
            i &+= 16
        }
        let a = acc0 + acc1                                            // (k, k+8)
        let b = a.lowHalf + a.highHalf                                 // (k, k+4)
        let c = b.lowHalf + b.highHalf                                 // (k, k+2)
        var sum = c.x + c.y                                            // (0, 1)
        while i < count {
            let x = Double(g[i])
            sum += x * x
            i &+= 1
        }
        let norm = sum.squareRoot()
        if norm > maxNorm { scale(g, count: count, by: T(maxNorm / norm)) }
        return norm
    }

    /// `x *= s`
    @inline(__always)
    static func scale<T: DenseScalar>(_ x: UnsafeMutablePointer<T>, count: Int, by s: T) {
        var i = 0
        while i < count {
            x[i] *= s
            i &+= 1
        }
    }

    /// Clamps every element of `g` to `[low, high]`. Written as selects
    /// rather than conditional stores so that it vectorises; a NaN fails both
    /// comparisons and is kept, so that the trainer can notice it.
    @inline(__always)
    static func clipValues<T: DenseScalar>(_ g: UnsafeMutablePointer<T>, count: Int, low: T, high: T) {
        var i = 0
        while i < count {
            let x = g[i]
            g[i] = x > high ? high : (x < low ? low : x)
            i &+= 1
        }
    }

    /// Eight values widened to `Double` (exactly: every `Float` and `Double`
    /// is a `Double`).
    @inline(__always)
    static func doubles<T: DenseScalar>(_ x: SIMD8<T>) -> SIMD8<Double> {
        SIMD8<Double>(Double(x[0]), Double(x[1]), Double(x[2]), Double(x[3]),
                      Double(x[4]), Double(x[5]), Double(x[6]), Double(x[7]))
    }
}
