
/// Graves (2013), eqs. 38–41 — a centred RMSProp with momentum:
///   n ← ℵ n + (1−ℵ) g²,  ḡ ← ℵ ḡ + (1−ℵ) g,
///   Δ ← ℶ Δ − ℷ g / √(n − ḡ² + ℸ),  w ← w + Δ.
/// Not a framework's default RMSprop: ℸ sits inside the root and the
/// running mean ḡ centres the variance estimate.
public final class RMSProp<T: NTMScalar>: Optimizer {
    public private(set) var config: OptimizerConfig
    public var learningRate: Double {
        get { config.learningRate }
        set { config.learningRate = newValue }
    }
    public var stepCount = 0
    private let state: OptimizerState<T>

    public init(config: OptimizerConfig, count: Int) {
        self.config = config
        state = OptimizerState(count: count, buffers: 3)   // n, ḡ, Δ
    }

    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<T>)] {
        [("rmsprop.n", state.buffers[0]), ("rmsprop.g", state.buffers[1]), ("rmsprop.delta", state.buffers[2])]
    }

    /// One step of eqs. 38–41 over all parameters, in `OptimizerKernels`:
    /// its AVX2 build for `Float` where the CPU has it, else the baseline
    /// build (the same bits either way).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func update(_ parameters: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>) {
        let n = state.buffers[0].baseAddress!, mean = state.buffers[1].baseAddress!
        let delta = state.buffers[2].baseAddress!
        let w = parameters.baseAddress!, g = gradient.baseAddress!
        let count = parameters.count
        if T.self == Float.self && KernelDispatch.useWide {
            WideKernels.rmspropUpdate(floats(w), floats(g), n: floats(n), mean: floats(mean),
                                      delta: floats(delta), count: count,
                                      decay: Float(config.decay), momentum: Float(config.momentum),
                                      rate: Float(config.learningRate), epsilon: Float(config.epsilon))
        } else {
            OptimizerKernels.rmspropUpdate(w, g, n: n, mean: mean, delta: delta, count: count,
                                           decay: T(config.decay), momentum: T(config.momentum),
                                           rate: T(config.learningRate), epsilon: T(config.epsilon))
        }
        stepCount += 1
    }
}
