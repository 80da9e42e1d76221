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

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func update(_ parameters: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>) {
        let decay = Lanes<T>(repeating: T(config.decay)), momentum = Lanes<T>(repeating: T(config.momentum))
        let rate = Lanes<T>(repeating: T(config.learningRate)), epsilon = Lanes<T>(repeating: T(config.epsilon))
        let one = Lanes<T>(repeating: 1)
        let n = state.buffers[0].baseAddress!, mean = state.buffers[1].baseAddress!
        let delta = state.buffers[2].baseAddress!
        let w = parameters.baseAddress!, g = UnsafeMutablePointer(mutating: gradient.baseAddress!)
        @inline(__always) func update(_ gi: Lanes<T>, _ ni: inout Lanes<T>, _ mi: inout Lanes<T>,
                                      _ di: inout Lanes<T>, _ wi: inout Lanes<T>) {
            ni = decay * ni + (one - decay) * gi * gi
            mi = decay * mi + (one - decay) * gi
            di = momentum * di - rate * gi / (ni - mi * mi + epsilon).squareRoot()
            wi += di
        }
        let count = parameters.count
        var i = 0
        while i &+ 8 <= count {
            var ni = n.load8(i), mi = mean.load8(i), di = delta.load8(i), wi = w.load8(i)
            update(g.load8(i), &ni, &mi, &di, &wi)
            n.store8(ni, i); mean.store8(mi, i); delta.store8(di, i); w.store8(wi, i)
            i &+= 8
        }
        if i < count {
            let lanes = count &- i
            var ni = n.lanes(i, lanes), mi = mean.lanes(i, lanes), di = delta.lanes(i, lanes), wi = w.lanes(i, lanes)
            update(g.lanes(i, lanes), &ni, &mi, &di, &wi)
            n.storeLanes(ni, i, lanes); mean.storeLanes(mi, i, lanes)
            delta.storeLanes(di, i, lanes); w.storeLanes(wi, i, lanes)
        }
        stepCount += 1
    }
}
