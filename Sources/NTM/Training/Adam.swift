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
        let w = parameters.baseAddress!, g = UnsafeMutablePointer(mutating: gradient.baseAddress!)
        @inline(__always) func update(_ gi: Lanes<T>, _ mi: inout Lanes<T>, _ vi: inout Lanes<T>, _ wi: inout Lanes<T>) {
            mi = beta1 * mi + (one - beta1) * gi
            vi = beta2 * vi + (one - beta2) * gi * gi
            wi -= rate * (mi / c1) / ((vi / c2).squareRoot() + epsilon)
        }
        let count = parameters.count
        var i = 0
        while i &+ 8 <= count {
            var mi = m.load8(i), vi = v.load8(i), wi = w.load8(i)
            update(g.load8(i), &mi, &vi, &wi)
            m.store8(mi, i); v.store8(vi, i); w.store8(wi, i)
            i &+= 8
        }
        if i < count {
            let lanes = count &- i
            var mi = m.lanes(i, lanes), vi = v.lanes(i, lanes), wi = w.lanes(i, lanes)
            update(g.lanes(i, lanes), &mi, &vi, &wi)
            m.storeLanes(mi, i, lanes); v.storeLanes(vi, i, lanes); w.storeLanes(wi, i, lanes)
        }
    }
}

