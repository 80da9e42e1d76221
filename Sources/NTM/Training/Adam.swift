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
        state = OptimizerState(count: count, buffers: 3)   // m, v and a scratch of roots
    }

    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<T>)] {
        [("adam.m", state.buffers[0]), ("adam.v", state.buffers[1])]   // buffers[2] is scratch
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func update(_ parameters: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>) {
        stepCount += 1
        let b1 = config.beta1, b2 = config.beta2
        let t = Double(stepCount)
        let correction1 = T(1 - Glibc.pow(b1, t)), correction2 = T(1 - Glibc.pow(b2, t))
        let beta1 = Lanes<T>(repeating: T(b1)), beta2 = Lanes<T>(repeating: T(b2))
        let rate = Lanes<T>(repeating: T(config.learningRate)), epsilon = Lanes<T>(repeating: T(config.epsilon))
        let c1 = Lanes<T>(repeating: correction1), c2 = Lanes<T>(repeating: correction2)
        let one = Lanes<T>(repeating: 1)
        let m = state.buffers[0].baseAddress!, v = state.buffers[1].baseAddress!
        let root = state.buffers[2].baseAddress!
        let w = parameters.baseAddress!, g = UnsafeMutablePointer(mutating: gradient.baseAddress!)
        let count = parameters.count
        // Three passes, each of which vectorises: the moments and v̂; √v̂; the step.
        var i = 0
        while i < count {
            let lanes = min(8, count &- i)
            let gi = g.lanes(i, lanes)
            let mi = beta1 * m.lanes(i, lanes) + (one - beta1) * gi
            let vi = beta2 * v.lanes(i, lanes) + (one - beta2) * gi * gi
            m.storeLanes(mi, i, lanes)
            v.storeLanes(vi, i, lanes)
            root.storeLanes(vi / c2, i, lanes)
            i &+= 8
        }
        squareRootInPlace(root, count: count)
        i = 0
        while i < count {
            let lanes = min(8, count &- i)
            w.storeLanes(w.lanes(i, lanes) - rate * (m.lanes(i, lanes) / c1) / (root.lanes(i, lanes) + epsilon), i, lanes)
            i &+= 8
        }
    }
}

