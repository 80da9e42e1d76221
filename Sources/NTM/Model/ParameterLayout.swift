/// Where each named tensor lives in the one flat parameter buffer (and, with
/// the same offsets, in the gradient buffer). Weight matrices of a layer with
/// `n_in` inputs and `n_out` outputs have shape `[n_in, n_out]` in row-major
/// terms, which is the column-major `n_out × n_in` matrix the kernels use.
public struct ParameterLayout: Equatable, Sendable {
    public struct Tensor: Equatable, Sendable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        public var range: Range<Int> { offset..<(offset + count) }
    }

    public private(set) var tensors: [Tensor] = []
    public private(set) var count = 0
    /// Parameters the optimiser must leave alone (the random initial memory).
    public private(set) var frozen: [Range<Int>] = []

    // Offsets of each part, for the forward and backward passes.
    struct Layer: Equatable, Sendable {
        var kernel: Int, bias: Int, inputs: Int, units: Int
        var initialHidden = 0, initialCell = 0   // LSTM only
    }
    private(set) var controllerLayers: [Layer] = []
    private(set) var headsKernel = 0, headsBias = 0
    private(set) var outputKernel = 0, outputBias = 0
    private(set) var initialReads = 0, initialWeightingLogits = 0
    private(set) var initialMemory: Int? = nil

    private mutating func add(_ name: String, _ shape: [Int]) -> Int {
        let tensor = Tensor(name: name, shape: shape, offset: count)
        tensors.append(tensor)
        count += tensor.count
        return tensor.offset
    }

    public init(_ config: ModelConfig) {
        var inputs = config.controllerInputSize
        for (l, units) in config.controllerLayers.enumerated() {
            let prefix = "controller.\(l)"
            switch config.controller {
            case .feedforward:
                let kernel = add("\(prefix).kernel", [inputs, units])
                let bias = add("\(prefix).bias", [units])
                controllerLayers.append(Layer(kernel: kernel, bias: bias, inputs: inputs, units: units))
            case .lstm:
                // Gates stacked as [input, forget, output, candidate] blocks of `units`.
                let kernel = add("\(prefix).kernel", [inputs + units, 4 * units])
                let bias = add("\(prefix).bias", [4 * units])
                var layer = Layer(kernel: kernel, bias: bias, inputs: inputs, units: units)
                layer.initialHidden = add("\(prefix).h0", [units])
                layer.initialCell = add("\(prefix).c0", [units])
                controllerLayers.append(layer)
            }
            inputs = units
        }
        let hidden = config.controllerOutputSize
        if config.usesMemory {
            headsKernel = add("heads.kernel", [hidden, config.headsRawSize])
            headsBias = add("heads.bias", [config.headsRawSize])
        }
        outputKernel = add("output.kernel", [config.outputLayerInputSize, config.outputSize])
        outputBias = add("output.bias", [config.outputSize])
        if config.usesMemory {
            initialReads = add("read0", [config.readHeads, config.memoryWidth])
            initialWeightingLogits = add("weighting0.logits", [config.headCount, config.memoryRows])
            switch config.initialMemory {
            case .constant:
                break
            case .learned, .random:
                let offset = add("memory0", [config.memoryRows, config.memoryWidth])
                initialMemory = offset
                if config.initialMemory == .random {
                    frozen.append(offset..<(offset + config.memoryRows * config.memoryWidth))
                }
            }
        }
    }

    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }
}
