#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Adam (Kingma & Ba, 2015) with bias correction:
///   m ← β₁ m + (1−β₁) g,  v ← β₂ v + (1−β₂) g²,
///   w ← w − η m̂ / (√v̂ + ε),  m̂ = m / (1−β₁ᵗ),  v̂ = v / (1−β₂ᵗ).
public final class Adam<T: NTMScalar>: Optimizer {
    public private(set) var config: OptimizerConfig
    public var learningRate: Double {
        get { config.learningRate }
        set { config.learningRate = newValue }
    }
    public var stepCount = 0
    private let state: OptimizerState<T>

    public init(config: OptimizerConfig, count: Int) {
        self.config = config
        state = OptimizerState(count: count, buffers: 2)   // m, v
    }

    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<T>)] {
        [("adam.m", state.buffers[0]), ("adam.v", state.buffers[1])]
    }

    /// One step over all parameters, in `OptimizerKernels`: its AVX2 build
    /// for `Float` where the CPU has it, else the baseline build (the same
    /// bits either way).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func update(_ parameters: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>) {
        stepCount += 1
        let b1 = config.beta1, b2 = config.beta2
        let t = Double(stepCount)
        // The bias corrections 1−β₁ᵗ and 1−β₂ᵗ, in Double, rounded once to T.
        let correction1 = 1 - Glibc.pow(b1, t), correction2 = 1 - Glibc.pow(b2, t)
        let m = state.buffers[0].baseAddress!, v = state.buffers[1].baseAddress!
        let w = parameters.baseAddress!, g = gradient.baseAddress!
        let count = parameters.count
        if T.self == Float.self && KernelDispatch.useWide {
            WideKernels.adamUpdate(floats(w), floats(g), m: floats(m), v: floats(v), count: count,
                                   beta1: Float(b1), beta2: Float(b2),
                                   rate: Float(config.learningRate), epsilon: Float(config.epsilon),
                                   c1: Float(correction1), c2: Float(correction2))
        } else {
            OptimizerKernels.adamUpdate(w, g, m: m, v: v, count: count, beta1: T(b1), beta2: T(b2),
                                        rate: T(config.learningRate), epsilon: T(config.epsilon),
                                        c1: T(correction1), c2: T(correction2))
        }
    }
}
