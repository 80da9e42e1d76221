/// Everything that fixes a network's shape and its free choices. Two kinds of
/// network share one code path: an NTM (a controller with heads and memory)
/// and the paper's LSTM baseline, which is the same machine with no heads.
public struct ModelConfig: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case ntm
        case lstm
    }

    public enum ControllerKind: String, Sendable, CaseIterable {
        /// `h = tanh(W x + b)` per layer (ours: tanh; the paper does not say).
        case feedforward
        /// Standard LSTM without peepholes (ours), one or more stacked layers.
        case lstm
    }

    /// How `M_0` is made at the start of each sequence.
    public enum InitialMemory: String, Sendable, CaseIterable {
        /// Every entry `initialMemoryValue` (default 1e-6): Collier & Beel's best.
        case constant
        /// A learned `N × M` parameter.
        case learned
        /// A fixed random matrix drawn from the model seed at creation; it is
        /// saved with the weights but never updated by the optimiser.
        case random
    }

    /// How the learned initial head weightings `w_0` start (ours).
    public enum InitialWeighting: String, Sendable, CaseIterable {
        /// Every head's `w_0` on location 0 (logit `focusedWeightingLogit`
        /// there, 0 elsewhere: ≈ 0.99 of the weight), so read and write
        /// heads start where the other starts. Copy generalises to long
        /// sequences on far more seeds (docs/CLI.md has the seed tables).
        case focused
        /// Logits uniform in ±1: each head starts diffuse and somewhere else.
        case random
    }

    /// The logit of location 0 in a `focused` initial weighting.
    public static let focusedWeightingLogit = 10.0

    /// Squashing of the add vector `a_t` (ours, configurable).
    public enum AddActivation: String, Sendable, CaseIterable {
        case linear
        case tanh
    }

    public var kind: Kind = .ntm
    public var inputSize: Int
    public var outputSize: Int
    public var controller: ControllerKind = .lstm
    /// Sizes of the controller's layers (or of the baseline's stacked LSTM).
    public var controllerLayers: [Int] = [100]
    public var readHeads: Int = 1
    public var writeHeads: Int = 1
    /// Memory locations `N`.
    public var memoryRows: Int = 128
    /// Width of each location `M`.
    public var memoryWidth: Int = 20
    /// Allowed shifts `−S…+S`.
    public var shiftRange: Int = 1
    public var initialMemory: InitialMemory = .constant
    public var initialMemoryValue: Double = 1e-6
    /// The largest |initialMemoryValue| accepted. Content addressing squares
    /// memory entries in `Float`; far below this the forward pass is exact,
    /// far above it (e.g. 1e300, infinite as a `Float`) it gives NaN.
    public static let initialMemoryLimit = 1e6
    public var addActivation: AddActivation = .linear
    public var initialWeighting: InitialWeighting = .focused

    public init(kind: Kind = .ntm, inputSize: Int, outputSize: Int,
                controller: ControllerKind = .lstm, controllerLayers: [Int] = [100],
                readHeads: Int = 1, writeHeads: Int = 1,
                memoryRows: Int = 128, memoryWidth: Int = 20, shiftRange: Int = 1,
                initialMemory: InitialMemory = .constant, initialMemoryValue: Double = 1e-6,
                addActivation: AddActivation = .linear, initialWeighting: InitialWeighting = .focused) {
        self.kind = kind
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.controller = controller
        self.controllerLayers = controllerLayers
        self.readHeads = readHeads
        self.writeHeads = writeHeads
        self.memoryRows = memoryRows
        self.memoryWidth = memoryWidth
        self.shiftRange = shiftRange
        self.initialMemory = initialMemory
        self.initialMemoryValue = initialMemoryValue
        self.addActivation = addActivation
        self.initialWeighting = initialWeighting
    }

    /// The paper's LSTM baseline: stacked LSTM layers, no memory.
    public static func lstmBaseline(inputSize: Int, outputSize: Int, layers: [Int]) -> ModelConfig {
        ModelConfig(kind: .lstm, inputSize: inputSize, outputSize: outputSize,
                    controller: .lstm, controllerLayers: layers,
                    readHeads: 0, writeHeads: 0, memoryRows: 0, memoryWidth: 0, shiftRange: 0)
    }

    /// Limits that keep every size product far from overflow.
    public static let maxDimension = 1 << 16

    /// Nil when the config is usable; otherwise what is wrong, naming the field.
    public func validationError() -> String? {
        func bad(_ field: String, _ value: Int, _ rule: String) -> String {
            "\(field) = \(value) is out of range: \(rule)"
        }
        let limit = Self.maxDimension
        if inputSize < 1 || inputSize > limit { return bad("input_size", inputSize, "must be 1…\(limit)") }
        if outputSize < 1 || outputSize > limit { return bad("output_size", outputSize, "must be 1…\(limit)") }
        if controllerLayers.isEmpty || controllerLayers.count > 8 {
            return "controller_layers must list 1…8 layer sizes (got \(controllerLayers.count))"
        }
        for (i, size) in controllerLayers.enumerated() where size < 1 || size > 4096 {
            return bad("controller_layers[\(i)]", size, "must be 1…4096")
        }
        if !initialMemoryValue.isFinite || abs(initialMemoryValue) > Self.initialMemoryLimit {
            return "initial_memory_value must be a number from -1e6 to 1e6 (got \(initialMemoryValue))"
        }
        switch kind {
        case .lstm:
            if controller != .lstm { return "controller must be \"lstm\" for the LSTM baseline" }
            if readHeads != 0 || writeHeads != 0 { return "read_heads and write_heads must be 0 for the LSTM baseline" }
        case .ntm:
            if readHeads < 1 || readHeads > 64 { return bad("read_heads", readHeads, "must be 1…64") }
            if writeHeads < 1 || writeHeads > 64 { return bad("write_heads", writeHeads, "must be 1…64") }
            if memoryRows < 1 || memoryRows > limit { return bad("memory_rows", memoryRows, "must be 1…\(limit)") }
            if memoryWidth < 1 || memoryWidth > 4096 { return bad("memory_width", memoryWidth, "must be 1…4096") }
            if shiftRange < 0 || 2 * shiftRange + 1 > memoryRows {
                return bad("shift_range", shiftRange, "must be ≥ 0 with 2·S+1 ≤ memory_rows")
            }
            if memoryRows * memoryWidth > 1 << 24 { return "memory_rows × memory_width is larger than 2^24" }
        }
        return nil
    }

    var usesMemory: Bool { kind == .ntm }
    var headCount: Int { readHeads + writeHeads }
    var shiftCount: Int { 2 * shiftRange + 1 }
    /// Raw outputs of one head: key, β, g, shift logits, γ (and erase, add).
    var readHeadRawSize: Int { memoryWidth + 3 + shiftCount }
    var writeHeadRawSize: Int { readHeadRawSize + 2 * memoryWidth }
    var headsRawSize: Int { readHeads * readHeadRawSize + writeHeads * writeHeadRawSize }
    var controllerInputSize: Int { inputSize + readHeads * memoryWidth }
    var controllerOutputSize: Int { controllerLayers[controllerLayers.count - 1] }
    var outputLayerInputSize: Int { controllerOutputSize + readHeads * memoryWidth }
}
