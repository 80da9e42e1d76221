/// Graves (2013), eqs. 38–41 — a centred RMSProp with momentum:
///   n ← ℵ n + (1−ℵ) g²,  ḡ ← ℵ ḡ + (1−ℵ) g,
///   Δ ← ℶ Δ − ℷ g / √(n − ḡ² + ℸ),  w ← w + Δ.
/// Not a framework's default RMSprop: ℸ sits inside the root and the
/// running mean ḡ centres the variance estimate.
public final class RMSProp<T: NTMScalar>: Optimizer {
    public let config: OptimizerConfig
    public var stepCount = 0
    private let state: OptimizerState<T>

    public init(config: OptimizerConfig, count: Int) {
        self.config = config
        state = OptimizerState(count: count, buffers: 4)   // n, ḡ, Δ and a scratch of roots
    }

    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<T>)] {
        [("rmsprop.n", state.buffers[0]), ("rmsprop.g", state.buffers[1]), ("rmsprop.delta", state.buffers[2])]
        // buffers[3] is scratch, not state.
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func update(_ parameters: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>) {
        let decay = Lanes<T>(repeating: T(config.decay)), momentum = Lanes<T>(repeating: T(config.momentum))
        let rate = Lanes<T>(repeating: T(config.learningRate)), epsilon = Lanes<T>(repeating: T(config.epsilon))
        let one = Lanes<T>(repeating: 1)
        let n = state.buffers[0].baseAddress!, mean = state.buffers[1].baseAddress!
        let delta = state.buffers[2].baseAddress!, root = state.buffers[3].baseAddress!
        let w = parameters.baseAddress!, g = UnsafeMutablePointer(mutating: gradient.baseAddress!)
        let count = parameters.count
        // Three passes, each of which vectorises: the running averages and
        // n − ḡ² + ℸ; its square root; the momentum step.
        var i = 0
        while i < count {
            let lanes = min(8, count &- i)
            let gi = g.lanes(i, lanes)
            let ni = decay * n.lanes(i, lanes) + (one - decay) * gi * gi
            let mi = decay * mean.lanes(i, lanes) + (one - decay) * gi
            n.storeLanes(ni, i, lanes)
            mean.storeLanes(mi, i, lanes)
            root.storeLanes(ni - mi * mi + epsilon, i, lanes)
            i &+= 8
        }
        squareRootInPlace(root, count: count)
        i = 0
        while i < count {
            let lanes = min(8, count &- i)
            let di = momentum * delta.lanes(i, lanes) - rate * g.lanes(i, lanes) / root.lanes(i, lanes)
            delta.storeLanes(di, i, lanes)
            w.storeLanes(w.lanes(i, lanes) + di, i, lanes)
            i &+= 8
        }
        stepCount += 1
    }
}
