#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Adam (Kingma & Ba, 2015) with bias correction:
///   m ← β₁ m + (1−β₁) g,  v ← β₂ v + (1−β₂) g²,
///   w ← w − η m̂ / (√v̂ + ε),  m̂ = m / (1−β₁ᵗ),  v̂ = v / (1−β₂ᵗ).
public final class Adam<T: NTMScalar>: Optimizer {
    public let config: OptimizerConfig
    public var stepCount = 0
    private let state: OptimizerState<T>

    public init(config: OptimizerConfig, count: Int) {
        self.config = config
        state = OptimizerState(count: count, buffers: 2)
    }

    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<T>)] {
        [("adam.m", state.buffers[0]), ("adam.v", state.buffers[1])]
    }

    public func update(_ parameters: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>) {
        stepCount += 1
        let b1 = config.beta1, b2 = config.beta2
        let t = Double(stepCount)
        let correction1 = T(1 - Glibc.pow(b1, t)), correction2 = T(1 - Glibc.pow(b2, t))
        let beta1 = T(b1), beta2 = T(b2), rate = T(config.learningRate), epsilon = T(config.epsilon)
        let m = state.buffers[0].baseAddress!, v = state.buffers[1].baseAddress!
        let w = parameters.baseAddress!, g = gradient.baseAddress!
        for i in 0..<parameters.count {
            let gi = g[i]
            m[i] = beta1 * m[i] + (1 - beta1) * gi
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
            w[i] -= rate * (m[i] / correction1) / (T.sqrt(v[i] / correction2) + epsilon)
        }
    }
}

