/// A network's config and its weights: one contiguous buffer of
/// `layout.count` scalars. Weights are read-only while sequences run, so any
/// number of streams and training workers may read them at once.
public final class Network<T: NTMScalar>: @unchecked Sendable {
    public let config: ModelConfig
    public let layout: ParameterLayout
    let machine: Machine<T>
    /// The flat parameter buffer, owned by the network.
    public let parameters: UnsafeMutableBufferPointer<T>

    /// A freshly initialised network; the same seed gives the same weights
    /// on every platform (all draws are uniform, made in `Double`).
    public init(config: ModelConfig, seed: UInt64) {
        if let problem = config.validationError() { preconditionFailure("invalid ModelConfig: \(problem)") }
        self.config = config
        layout = ParameterLayout(config)
        machine = Machine(config: config, layout: layout, steps: StepLayout(config))
        parameters = .allocate(capacity: layout.count)
        parameters.initialize(repeating: 0)
        initialise(seed: seed)
    }

    /// A network with the given weights (copied).
    public init(config: ModelConfig, parameters values: [T]) {
        if let problem = config.validationError() { preconditionFailure("invalid ModelConfig: \(problem)") }
        self.config = config
        layout = ParameterLayout(config)
        machine = Machine(config: config, layout: layout, steps: StepLayout(config))
        precondition(values.count == layout.count, "expected \(layout.count) parameters, got \(values.count)")
        parameters = .allocate(capacity: layout.count)
        _ = parameters.initialize(from: values)
    }

    deinit { parameters.deallocate() }

    /// Initialisation (ours): kernels uniform in ±1/√fan-in; biases zero except
    /// the LSTM forget gate (+1); initial read vectors ±0.1; initial weighting
    /// logits focused on location 0 or uniform ±1 (`initialWeighting`);
    /// learned or random memory ±0.1.
    private func initialise(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for tensor in layout.tensors {
            let name = tensor.name
            let scale: Double
            if name.hasSuffix(".kernel") {
                scale = 1 / Double(tensor.shape[0]).squareRoot()
            } else if name == "read0" || name == "memory0" {
                scale = 0.1
            } else if name == "weighting0.logits" {
                scale = 1
            } else {
                scale = 0
            }
            guard scale > 0 else { continue }
            for i in tensor.range { parameters[i] = T(rng.uniform(-scale, scale)) }
        }
        // Overwritten after the draws, so that the two choices differ in
        // `w_0` alone and every other weight is the same for a seed.
        if config.initialWeighting == .focused {
            for tensor in layout.tensors where tensor.name == "weighting0.logits" {
                let rows = tensor.shape[1]
                for i in tensor.range {
                    parameters[i] = (i - tensor.range.lowerBound) % rows == 0 ? T(ModelConfig.focusedWeightingLogit) : 0
                }
            }
        }
        if config.controller == .lstm {
            for layer in layout.controllerLayers {
                for i in 0..<layer.units { parameters[layer.bias + layer.units + i] = 1 }
            }
        }
    }

    /// A copy of the parameters as an array.
    public var parameterValues: [T] { Array(parameters) }

    /// Copies `values` over the parameters.
    public func setParameters(_ values: [T]) {
        precondition(values.count == layout.count, "expected \(layout.count) parameters, got \(values.count)")
        _ = parameters.update(fromContentsOf: values)
    }
}
