/// The controller's layers, forward beside backward. Kernels are the
/// column-major matrices of `ParameterLayout`; a layer sees its input `x`
/// and (LSTM) its own previous hidden state `h_{t−1}`.

/// Feedforward layer: `h = tanh(W x + b)`.
struct FeedforwardLayer<T: NTMScalar> {
    let inputs: Int, units: Int
    let kernel: Int, bias: Int   // parameter offsets

    func forward(_ p: UnsafePointer<T>, input: UnsafePointer<T>, activation h: UnsafeMutablePointer<T>) {
        copyValues(p + bias, h, count: units)
        matVecAccumulate(p + kernel, rows: units, cols: inputs, input, h)
        tanh(h, h, count: units)
    }

    /// `dz = dh (1 − h²)` into `dPreActivation`, `dx += Wᵀ dz` for all but the
    /// first `unwantedInputs` inputs (whose gradient nobody reads). The
    /// weight gradient is formed over the whole sequence by `weightGradients`.
    func backward(_ p: UnsafePointer<T>, activation h: UnsafePointer<T>, dActivation dh: UnsafePointer<T>,
                  dPreActivation dz: UnsafeMutablePointer<T>, dInput: UnsafeMutablePointer<T>, unwantedInputs: Int) {
        for i in 0..<units { dz[i] = dh[i] * (1 - h[i] * h[i]) }
        let skip = unwantedInputs
        matTransposeVecAccumulate(p + kernel + skip &* units, rows: units, cols: inputs - skip, dz, dInput + skip)
    }

    /// `dW += Σ_t dz_t x_tᵀ`, `db += Σ_t dz_t`.
    func weightGradients(_ g: UnsafeMutablePointer<T>, dPreActivations: UnsafePointer<T>, stride: Int,
                         inputs x: UnsafePointer<T>, inputStride: Int, steps: Int) {
        sumAccumulateSteps(g + bias, count: units, a: dPreActivations, stride: stride, steps: steps)
        outerAccumulateSteps(g + kernel, rows: units, cols: inputs, a: dPreActivations, aStride: stride,
                             b: x, bStride: inputStride, steps: steps)
    }
}

/// LSTM layer without peepholes. Pre-activations `a = W [x; h_{t−1}] + b`
/// in four blocks: `i = σ(a_i)`, `f = σ(a_f)`, `o = σ(a_o)`, `ĉ = tanh(a_c)`;
/// then `c_t = f c_{t−1} + i ĉ`, `h_t = o tanh(c_t)`.
struct LSTMLayer<T: NTMScalar> {
    let inputs: Int, units: Int
    let kernel: Int, bias: Int

    func forward(_ p: UnsafePointer<T>, input: UnsafePointer<T>, previousHidden: UnsafePointer<T>,
                 previousCell: UnsafePointer<T>, gates: UnsafeMutablePointer<T>, cell: UnsafeMutablePointer<T>,
                 tanhCell: UnsafeMutablePointer<T>, hidden: UnsafeMutablePointer<T>) {
        let u = units, rows = 4 * units
        copyValues(p + bias, gates, count: rows)
        matVecAccumulate(p + kernel, rows: rows, cols: inputs, input, gates)
        matVecAccumulate(p + kernel + inputs &* rows, rows: rows, cols: u, previousHidden, gates)
        sigmoid(gates, gates, count: 3 &* u)
        tanh(gates + 3 &* u, gates + 3 &* u, count: u)
        for k in 0..<u { cell[k] = gates[u + k] * previousCell[k] + gates[k] * gates[3 &* u + k] }
        tanh(cell, tanhCell, count: u)
        for k in 0..<u { hidden[k] = gates[2 &* u + k] * tanhCell[k] }
    }

    /// `dHidden` and `dCell` hold the total gradients of `h_t` and `c_t` on
    /// entry. Writes the pre-activation gradients to `dGates` (`4 × units`)
    /// and accumulates into `dPreviousHidden`, `dPreviousCell` and `dInput`,
    /// all but its first `unwantedInputs` entries (whose gradient nobody
    /// reads: the task's inputs, in training). The weight gradient is formed
    /// over the whole sequence by `weightGradients`.
    func backward(_ p: UnsafePointer<T>, previousCell: UnsafePointer<T>,
                  gates: UnsafePointer<T>, tanhCell: UnsafePointer<T>,
                  dHidden: UnsafePointer<T>, dCell: UnsafePointer<T>, dGates: UnsafeMutablePointer<T>,
                  dInput: UnsafeMutablePointer<T>, unwantedInputs: Int, dPreviousHidden: UnsafeMutablePointer<T>,
                  dPreviousCell: UnsafeMutablePointer<T>) {
        let u = units, rows = 4 * units
        for k in 0..<u {
            let i = gates[k], f = gates[u + k], o = gates[2 &* u + k], c = gates[3 &* u + k]
            let tc = tanhCell[k]
            let dc = dCell[k] + dHidden[k] * o * (1 - tc * tc)   // c_t feeds h_t and c_{t+1}
            dGates[k] = dc * c * i * (1 - i)
            dGates[u + k] = dc * previousCell[k] * f * (1 - f)
            dGates[2 &* u + k] = dHidden[k] * tc * o * (1 - o)
            dGates[3 &* u + k] = dc * i * (1 - c * c)
            dPreviousCell[k] += dc * f
        }
        let skip = unwantedInputs
        matTransposeVecAccumulate(p + kernel + skip &* rows, rows: rows, cols: inputs - skip, dGates, dInput + skip)
        matTransposeVecAccumulate(p + kernel + inputs &* rows, rows: rows, cols: u, dGates, dPreviousHidden)
    }

    /// `dW += Σ_t da_t [x_t ; h_{t−1}]ᵀ`, `db += Σ_t da_t`.
    func weightGradients(_ g: UnsafeMutablePointer<T>, dGates: UnsafePointer<T>, stride: Int,
                         inputs x: UnsafePointer<T>, previousHidden h: UnsafePointer<T>, recordStride: Int,
                         steps: Int) {
        let rows = 4 * units
        sumAccumulateSteps(g + bias, count: rows, a: dGates, stride: stride, steps: steps)
        outerAccumulateSteps(g + kernel, rows: rows, cols: inputs, a: dGates, aStride: stride,
                             b: x, bStride: recordStride, steps: steps)
        outerAccumulateSteps(g + kernel + inputs &* rows, rows: rows, cols: units, a: dGates, aStride: stride,
                             b: h, bStride: recordStride, steps: steps)
    }
}
