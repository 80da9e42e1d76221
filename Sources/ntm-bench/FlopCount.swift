// The analytic FLOP model behind the GFLOP/s figures. The core (Sources/NTM)
// exposes no operation count, so this model lives here, next to its only user;
// a change to the core's arithmetic must be mirrored here by hand.

import NTM


/// An analytic count of the floating-point operations of one time step,
/// derived from the config alone (not measured). Conventions: a
/// multiply-add is 2 operations; every add, multiply, divide, square root
/// and transcendental (exp, log, tanh, log1p) is 1; copies, comparisons and
/// index arithmetic are 0. Sizes: X inputs, Y outputs, controller layers
/// I_l → O_l (H = last O), R read and W write heads, memory N × M,
/// nS = 2S+1 shifts, U = X + R·M controller inputs, and the heads' raw
/// width P = R·(M + 3 + nS) + W·(3M + 3 + nS).
///
/// Forward, per step:
///   feedforward layer   2·I·O (W x, bias folded in) + O (tanh)
///   LSTM layer          2·(I + O)·4O (W [x; h]) + 4O (gates) + 5O (c, tanh c, h)
///   head parameters     2·H·P
///   addressing, per head (content, gate, shift, sharpen):
///                       2MN + (18 + 2nS)·N + 2M + 4nS + 8
///                         content: ‖k‖ 2M; k·M_i 2M·N; K and βK 4N; softmax 4N
///                         gate 3N; shift 2nS·N; sharpen (log, ·γ, +δ) 3N + softmax 4N
///                         scalars (softplus, σ, shift softmax) 4nS + 8
///   erase/add vectors   2M per write head
///   write               5NM per write head (erase 3, add 2) + row norms 2NM + N
///   read                2NM per read head
///   output              2·Y·(H + R·M) + Y (σ)
/// Backward, per step (the backward of each product costs one transposed
/// product for the input gradient and one outer product for the weight
/// gradient, each as many operations as the forward product):
///   loss and ∂logits    6Y
///   output              4·Y·(H + R·M) + Y (bias)
///   read, per read head 4NM (∂w dot, ∂M axpy)
///   addressing, per head 8MN + (38 + 4nS)·N + 5nS + 10
///                         sharpen 10N; shift 4nS·N + softmax 5nS; gate 7N;
///                         content softmax 5N, ∂β 2N; cosine 4 axpys of M per
///                         row (8MN) + 14N scalars
///   write               one head: 13NM + 2N; W > 1 heads: (15W + 1)·NM + 2WN
///                       (prefix/suffix products of the erase factors)
///   erase/add vectors   5M per write head (7M with tanh adds)
///   head parameters     4·H·P + P
///   feedforward layer   3O + 4·I·O + O
///   LSTM layer          22O + 4·(I + O)·4O + 4O
///   read-vector input   R·M
/// Per update (batch B, Pn parameters): reduction B·Pn (+ Pn to scale when
/// B > 1) and the optimiser, 16·Pn for Graves' RMSProp (n, ḡ, Δ, w), 14·Pn
/// for Adam. The per-sequence initial-state terms (O(N + H)) are left out.
struct FlopCount {
    let forwardStep: Double
    let backwardStep: Double
    let parameters: Int
    let optimizerPerParameter: Double

    init(_ c: ModelConfig, parameters: Int, optimizer: OptimizerConfig.Kind) {
        let X = Double(c.inputSize), Y = Double(c.outputSize)
        let memory = c.kind == .ntm
        let R = memory ? Double(c.readHeads) : 0, W = memory ? Double(c.writeHeads) : 0
        let N = Double(c.memoryRows), M = Double(c.memoryWidth), nS = Double(2 * c.shiftRange + 1)
        let H = Double(c.controllerLayers.last!)
        let P = R * (M + 3 + nS) + W * (3 * M + 3 + nS)
        var forward = 0.0, backward = 0.0
        var inputs = X + R * M
        for units in c.controllerLayers.map(Double.init) {
            if c.controller == .feedforward {
                forward += 2 * inputs * units + units
                backward += 3 * units + 4 * inputs * units + units
            } else {
                forward += 2 * (inputs + units) * 4 * units + 4 * units + 5 * units
                backward += 22 * units + 4 * (inputs + units) * 4 * units + 4 * units
            }
            inputs = units
        }
        if memory {
            let heads = R + W
            forward += 2 * H * P
            forward += heads * (2 * M * N + (18 + 2 * nS) * N + 2 * M + 4 * nS + 8)
            forward += W * (2 * M + 5 * N * M) + 2 * N * M + N
            forward += R * 2 * N * M
            backward += R * 4 * N * M
            backward += heads * (8 * M * N + (38 + 4 * nS) * N + 5 * nS + 10)
            backward += W == 1 ? 13 * N * M + 2 * N : (15 * W + 1) * N * M + 2 * W * N
            backward += W * (c.addActivation == .tanh ? 7 : 5) * M
            backward += 4 * H * P + P
            backward += R * M
        }
        forward += 2 * Y * (H + R * M) + Y
        backward += 6 * Y + 4 * Y * (H + R * M) + Y
        forwardStep = forward
        backwardStep = backward
        self.parameters = parameters
        optimizerPerParameter = optimizer == .rmsprop ? 16 : 14
    }

    var trainingStep: Double { forwardStep + backwardStep }

    func perUpdate(batch: Int) -> Double {
        Double(parameters) * (Double(batch) + (batch > 1 ? 1 : 0) + optimizerPerParameter)
    }
}
