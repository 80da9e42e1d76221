/// How parameters are updated from a gradient: the optimiser, its
/// hyper-parameters, and gradient clipping.
public struct OptimizerConfig: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Graves (2013) eqs. 38–41: centred RMSProp with momentum, ε inside the root.
        case rmsprop
        /// Kingma & Ba (2015), with bias correction.
        case adam
    }

    public var kind: Kind = .rmsprop
    public var learningRate: Double = 1e-4
    /// RMSProp: ℵ, the decay of the running averages.
    public var decay: Double = 0.95
    /// RMSProp: ℶ, the momentum of the update.
    public var momentum: Double = 0.9
    /// RMSProp: ℸ, inside the square root. Adam: outside it.
    public var epsilon: Double = 1e-4
    /// The smallest epsilon accepted (see `validationError`).
    public static let smallestEpsilon = 1e-30
    /// Adam: β₁ and β₂.
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    /// Element-wise clipping of the gradient to ±clipValue (0: none).
    public var clipValue: Double = 10
    /// Clipping of the gradient's global L2 norm (0: none), applied first.
    public var clipNorm: Double = 0

    public init(kind: Kind = .rmsprop, learningRate: Double? = nil) {
        self.kind = kind
        switch kind {
        case .rmsprop:
            self.learningRate = learningRate ?? 1e-4
        case .adam:
            self.learningRate = learningRate ?? 1e-3
            epsilon = 1e-8
        }
    }

    public static var rmsprop: OptimizerConfig { OptimizerConfig(kind: .rmsprop) }
    public static var adam: OptimizerConfig { OptimizerConfig(kind: .adam) }

    /// Nil when usable; otherwise what is wrong, naming the field.
    public func validationError() -> String? {
        func finite(_ x: Double) -> Bool { x.isFinite }
        // Rates above 1 move every weight by about the rate in one Adam step,
        // and from values near Float's range the forward pass only gives NaN.
        if !finite(learningRate) || learningRate <= 0 || learningRate > 1 {
            return "learning_rate must be in (0, 1] (got \(learningRate))"
        }
        if !finite(decay) || decay < 0 || decay >= 1 { return "decay must be in [0, 1) (got \(decay))" }
        if !finite(momentum) || momentum < 0 || momentum >= 1 { return "momentum must be in [0, 1) (got \(momentum))" }
        // Below 1e-30 epsilon rounds towards Float's subnormals and no longer
        // keeps the division by the root mean square finite.
        if !finite(epsilon) || epsilon < Self.smallestEpsilon || epsilon > 1 {
            return "epsilon must be in [1e-30, 1] (got \(epsilon))"
        }
        if !finite(beta1) || beta1 < 0 || beta1 >= 1 { return "beta1 must be in [0, 1) (got \(beta1))" }
        if !finite(beta2) || beta2 < 0 || beta2 >= 1 { return "beta2 must be in [0, 1) (got \(beta2))" }
        let floatMax = Double(Float.greatestFiniteMagnitude)
        if !finite(clipValue) || clipValue < 0 || clipValue > floatMax {
            return "clip_value must be in [0, 3.4e38] (got \(clipValue))"
        }
        if !finite(clipNorm) || clipNorm < 0 || clipNorm > floatMax {
            return "clip_norm must be in [0, 3.4e38] (got \(clipNorm))"
        }
        return nil
    }
}
