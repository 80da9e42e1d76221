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
        state = OptimizerState(count: count, buffers: 3)
    }

    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<T>)] {
        [("rmsprop.n", state.buffers[0]), ("rmsprop.g", state.buffers[1]), ("rmsprop.delta", state.buffers[2])]
    }

    public func update(_ parameters: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>) {
        let decay = T(config.decay), momentum = T(config.momentum)
        let rate = T(config.learningRate), epsilon = T(config.epsilon)
        let n = state.buffers[0].baseAddress!, mean = state.buffers[1].baseAddress!
        let delta = state.buffers[2].baseAddress!
        let w = parameters.baseAddress!, g = gradient.baseAddress!
        for i in 0..<parameters.count {
            let gi = g[i]
            n[i] = decay * n[i] + (1 - decay) * gi * gi
            mean[i] = decay * mean[i] + (1 - decay) * gi
            delta[i] = momentum * delta[i] - rate * gi / T.sqrt(n[i] - mean[i] * mean[i] + epsilon)
            w[i] += delta[i]
        }
        stepCount += 1
    }
}
