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
        for i in 0..<units { h[i] = T.tanh(h[i]) }
    }

    /// `dz = dh (1 − h²)`, `dW += dz xᵀ`, `db += dz`, `dx += Wᵀ dz`; `dh` is
    /// overwritten with `dz`.
    func backward(_ p: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>, input: UnsafePointer<T>,
                  activation h: UnsafePointer<T>, dActivation dh: UnsafeMutablePointer<T>,
                  dInput: UnsafeMutablePointer<T>) {
        for i in 0..<units { dh[i] *= 1 - h[i] * h[i] }
        addAccumulate(dh, g + bias, count: units)
        outerAccumulate(g + kernel, rows: units, cols: inputs, dh, input)
        matTransposeVecAccumulate(p + kernel, rows: units, cols: inputs, dh, dInput)
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
        for k in 0..<3 &* u { gates[k] = sigmoid(gates[k]) }
        for k in 3 &* u..<rows { gates[k] = T.tanh(gates[k]) }
        for k in 0..<u {
            let c = gates[u + k] * previousCell[k] + gates[k] * gates[3 &* u + k]
            cell[k] = c
            let tc = T.tanh(c)
            tanhCell[k] = tc
            hidden[k] = gates[2 &* u + k] * tc
        }
    }

    /// `dHidden` and `dCell` hold the total gradients of `h_t` and `c_t` on
    /// entry. Accumulates into the parameter
    /// gradients, `dInput`, `dPreviousHidden` and `dPreviousCell`;
    /// `dGates` is scratch of `4 × units`.
    func backward(_ p: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>, input: UnsafePointer<T>,
                  previousHidden: UnsafePointer<T>, previousCell: UnsafePointer<T>,
                  gates: UnsafePointer<T>, tanhCell: UnsafePointer<T>,
                  dHidden: UnsafePointer<T>, dCell: UnsafeMutablePointer<T>, dGates: UnsafeMutablePointer<T>,
                  dInput: UnsafeMutablePointer<T>, dPreviousHidden: UnsafeMutablePointer<T>,
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
        addAccumulate(dGates, g + bias, count: rows)
        outerAccumulate(g + kernel, rows: rows, cols: inputs, dGates, input)
        outerAccumulate(g + kernel + inputs &* rows, rows: rows, cols: u, dGates, previousHidden)
        matTransposeVecAccumulate(p + kernel, rows: rows, cols: inputs, dGates, dInput)
        matTransposeVecAccumulate(p + kernel + inputs &* rows, rows: rows, cols: u, dGates, dPreviousHidden)
    }
}
