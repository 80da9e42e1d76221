/// Addressing of one head (paper §3.3): content, interpolation, rotation and
/// sharpening, each stage's forward beside its backward.
///
/// The memory is `N × M`, stored column-major (`M(i, j)` at `i + j·N`, see
/// `MemoryAccess`), so the similarities of all locations are one
/// matrix–vector product. The raw head values are laid out
/// `[k (M), β̂, ĝ, ŝ (2S+1), γ̂, …]`.
struct Addressing<T: NTMScalar> {
    let rows: Int        // N
    let width: Int       // M
    let shiftRange: Int  // S

    /// Guards the cosine similarity's denominator: `K = u·v / (‖u‖‖v‖ + ε)`.
    static var similarityEpsilon: T { 1e-8 }
    /// Guards the logarithm in sharpening: `log(w̃ + δ)`; far below any
    /// weighting that matters, but keeps `log 0` and `1/0` out of the pass.
    static var logEpsilon: T { T(1e-30) }

    var strengthIndex: Int { width }
    var gateIndex: Int { width + 1 }
    var shiftIndex: Int { width + 2 }
    var sharpeningIndex: Int { width + 3 + 2 * shiftRange }

    // MARK: Forward

    /// Computes the head's weighting `w_t` from its raw values, the memory
    /// it addresses (with that memory's row norms) and its previous
    /// weighting, storing every intermediate in the step record.
    func forward(raw: UnsafePointer<T>, memory: UnsafePointer<T>, rowNorms: UnsafePointer<T>,
                 previous: UnsafePointer<T>, record r: UnsafeMutablePointer<T>, head h: StepLayout.Head) {
        let n = rows, m = width
        // Squash the scalar parameters: β = softplus(β̂), g = σ(ĝ), s = softmax(ŝ), γ = 1 + softplus(γ̂).
        let beta = softplus(raw[strengthIndex])
        let gate = sigmoid(raw[gateIndex])
        let gamma = 1 + softplus(raw[sharpeningIndex])
        r[h.strength] = beta
        r[h.gate] = gate
        r[h.sharpening] = gamma
        softmax(raw + shiftIndex, r + h.shift, count: 2 * shiftRange + 1)
        assertDistribution(r + h.shift, count: 2 * shiftRange + 1, "the shift weighting s")

        // Content (eq. 5–6): K_i = k·M_i / (‖k‖‖M_i‖ + ε), w^c = softmax(β K).
        let keyNorm = T.sqrt(dot(raw, raw, count: m))
        r[h.keyNorm] = keyNorm
        let similarity = r + h.similarity, content = r + h.content
        zero(similarity, count: n)
        matVecAccumulate(memory, rows: n, cols: m, raw, similarity)   // k·M_i for every i
        for i in 0..<n {
            let k = similarity[i] / (keyNorm * rowNorms[i] + Self.similarityEpsilon)
            similarity[i] = k
            content[i] = beta * k
        }
        softmax(content, content, count: n)
        assertDistribution(content, count: n, "the content weighting w^c")

        // Interpolation (eq. 7): w^g = g w^c + (1 − g) w_{t−1}.
        let gated = r + h.gated
        for i in 0..<n { gated[i] = gate * content[i] + (1 - gate) * previous[i] }
        assertDistribution(gated, count: n, "the gated weighting w^g (is w_{t-1} one?)")

        // Rotation (eq. 8): w̃(i) = Σ_d s(d) w^g(i − d mod N).
        let shifted = r + h.shifted, shift = r + h.shift
        zero(shifted, count: n)
        for d in -shiftRange...shiftRange {
            let s = shift[d + shiftRange]
            // Rows i with i − d inside 0..<N, then the rows that wrap around.
            let low = max(d, 0), high = min(n, n + d)
            axpy(s, gated + (low - d), shifted + low, count: high - low)
            for i in 0..<low { shifted[i] += s * gated[i - d + n] }
            for i in high..<n { shifted[i] += s * gated[i - d - n] }
        }
        assertDistribution(shifted, count: n, "the rotated weighting w~")

        // Sharpening (eq. 9) in log space: w = softmax(γ log(w̃ + δ)).
        let weighting = r + h.weighting
        scaledLog(shifted, weighting, count: n, offset: Self.logEpsilon, scale: gamma)
        softmax(weighting, weighting, count: n)
        assertDistribution(weighting, count: n, "the weighting w")
    }

    // MARK: Backward

    /// Scratch vectors of length `N` for `backward`.
    struct Scratch {
        let a, b, c: UnsafeMutablePointer<T>
    }

    /// Given `dw` (the loss gradient with respect to this head's weighting,
    /// all uses summed), accumulates the gradients of the raw values into
    /// `dRaw`, of the addressed memory into `dMemory`, and of the previous
    /// weighting into `dPrevious`.
    func backward(dWeighting dw: UnsafePointer<T>, raw: UnsafePointer<T>,
                  memory: UnsafePointer<T>, rowNorms: UnsafePointer<T>, previous: UnsafePointer<T>,
                  record r: UnsafePointer<T>, head h: StepLayout.Head, scratch: Scratch,
                  dRaw: UnsafeMutablePointer<T>, dMemory: UnsafeMutablePointer<T>,
                  dPrevious: UnsafeMutablePointer<T>) {
        let n = rows, m = width
        let beta = r[h.strength], gate = r[h.gate], gamma = r[h.sharpening], keyNorm = r[h.keyNorm]
        let weighting = r + h.weighting, shifted = r + h.shifted, gated = r + h.gated
        let content = r + h.content, similarity = r + h.similarity, shift = r + h.shift

        // Sharpening: z = γ ℓ, ℓ = log(w̃ + δ), w = softmax(z):
        //   ∂L/∂z_i = w_i (dw_i − w·dw),  dγ = Σ_i ∂L/∂z_i ℓ_i,  dw̃_i = γ ∂L/∂z_i / (w̃_i + δ).
        let dz = scratch.c, logs = scratch.a, dShifted = scratch.b
        let inner = dot(weighting, dw, count: n)
        for i in 0..<n { dz[i] = weighting[i] * (dw[i] - inner) }
        log(shifted, logs, count: n, offset: Self.logEpsilon)
        let dGamma = dot(dz, logs, count: n)
        for i in 0..<n { dShifted[i] = gamma * dz[i] / (shifted[i] + Self.logEpsilon) }
        dRaw[sharpeningIndex] += dGamma * sigmoid(raw[sharpeningIndex])

        // Rotation: ds(d) = Σ_i dw̃(i) w^g(i − d), dw^g(j) = Σ_d s(d) dw̃(j + d).
        let dGated = scratch.a
        zero(dGated, count: n)
        let dShiftLogits = scratch.c   // 2S+1 ≤ N values
        for d in -shiftRange...shiftRange {
            let s = shift[d + shiftRange]
            // As in the forward pass: the rows with i − d inside 0..<N, then those that wrap.
            let low = max(d, 0), high = min(n, n + d)
            var ds = dot(dShifted + low, gated + (low - d), count: high - low)
            axpy(s, dShifted + low, dGated + (low - d), count: high - low)
            for i in 0..<low {
                ds += dShifted[i] * gated[i - d + n]
                dGated[i - d + n] += s * dShifted[i]
            }
            for i in high..<n {
                ds += dShifted[i] * gated[i - d - n]
                dGated[i - d - n] += s * dShifted[i]
            }
            dShiftLogits[d + shiftRange] = ds
        }
        softmaxBackward(shift, dShiftLogits, dRaw + shiftIndex, count: 2 * shiftRange + 1)

        // Interpolation: dg = Σ dw^g (w^c − w_{t−1}), dw^c = g dw^g, dw_{t−1} += (1 − g) dw^g.
        var dGate: T = 0
        let dContent = scratch.b
        for i in 0..<n {
            dGate += dGated[i] * (content[i] - previous[i])
            dContent[i] = gate * dGated[i]
            dPrevious[i] += (1 - gate) * dGated[i]
        }
        dRaw[gateIndex] += dGate * gate * (1 - gate)

        // Content softmax: w^c = softmax(β K).
        let dLogits = scratch.c
        zero(dLogits, count: n)
        softmaxBackward(content, dContent, dLogits, count: n)
        let dBeta = dot(dLogits, similarity, count: n)
        dRaw[strengthIndex] += dBeta * sigmoid(raw[strengthIndex])

        // Cosine similarity: K_i = k·M_i / D_i, D_i = ‖k‖‖M_i‖ + ε, with
        //   ∂K_i/∂k   = M_i / D_i − K_i ‖M_i‖ k / (‖k‖ D_i)
        //   ∂K_i/∂M_i = k / D_i − K_i ‖k‖ M_i / (‖M_i‖ D_i).
        // With a_i = ∂L/∂K_i / D_i and u_i = a_i K_i:
        //   ∂L/∂k   = Σ_i a_i M_i − (Σ_i u_i ‖M_i‖ / ‖k‖) k = Mᵀa − (u·‖M‖ / ‖k‖) k
        //   ∂L/∂M_i = a_i k − c_i M_i,   c_i = u_i ‖k‖ / ‖M_i‖.
        // A zero norm makes its term vanish exactly (its K is 0).
        let a = scratch.a, c = scratch.b, u = dLogits   // u overwrites dLogits index by index
        for i in 0..<n {
            let ai = beta * dLogits[i] / (keyNorm * rowNorms[i] + Self.similarityEpsilon)
            a[i] = ai
            u[i] = ai * similarity[i]
        }
        for i in 0..<n { c[i] = rowNorms[i] > 0 ? u[i] * keyNorm / rowNorms[i] : 0 }
        matTransposeVecAccumulate(memory, rows: n, cols: m, a, dRaw)
        if keyNorm > 0 { axpy(-dot(u, rowNorms, count: n) / keyNorm, raw, dRaw, count: m) }
        memoryCosineBackward(memory: memory, a: a, c: c, key: raw, rows: n, width: m, dMemory: dMemory)
    }
}
