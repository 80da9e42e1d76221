/// A named, ready-to-train setting: one of the paper's networks on one of
/// its tasks, with the optimiser it was trained with.
public struct Preset: Equatable, Sendable {
    /// `"<task>/<network>"`, e.g. `"copy/ntm-lstm"`.
    public let name: String
    /// A `TaskDescriptor` name; the task is used with its default options.
    public let task: String
    /// One of `Presets.networks`.
    public let network: String
    public let model: ModelConfig
    public let optimizer: OptimizerConfig
    /// Sequences per update.
    public let batchSize: Int
}

/// The paper's networks (Graves et al. 2014, tables 1–3) as named default configurations: for every task in
/// `TaskDescriptor.all`, an NTM with a feedforward controller, an NTM with an
/// LSTM controller and the LSTM baseline.
///
/// What comes from the paper:
/// - heads: the table's "n heads" is n read heads *and* n write heads;
/// - controller sizes: "100 units" is one layer of 100; "2 × 100 units" is
///   two layers of 100; the LSTM baseline is three stacked layers of the
///   given size;
/// - memory 128 × 20 and shifts −1…+1 for every NTM;
/// - the optimiser: Graves' RMSProp with momentum 0.9, decay 0.95,
///   ε = 1e-4, element-wise gradient clipping at ±10, and each network's
///   learning rate from the table;
/// - batch size 1: the paper trains on one sequence at a time.
///
/// What the paper leaves open and we choose (as everywhere, see ModelConfig):
/// the feedforward controller's tanh, the initial memory (constant 1e-6, or
/// learned on the tasks that need it: `PaperNetworks.feedforwardMemory`), the
/// linear add vector.
///
/// Deviations from the paper: none at present. The learning rates are the
/// paper's even where other implementations train faster with larger ones
/// (or with Adam); if a preset is ever changed, record the change and the
/// reason here.
///
/// Input and output sizes come from the tasks' default options, so a preset
/// always matches `TaskDescriptor.named(preset.task).make()`; the numbers come
/// from each task's `TaskDescriptor.paperNetworks`.
public enum Presets {
    /// The three networks the paper compares on every task.
    public static let networks = ["ntm-feedforward", "ntm-lstm", "lstm"]

    /// All presets, task-major in `TaskDescriptor.all` order, networks in
    /// `networks` order (15 in all).
    public static let all: [Preset] = TaskDescriptor.all.flatMap { task in
        networks.map { network in makePreset(task: task, network: network) }
    }

    /// The preset called `name` (`"<task>/<network>"`).
    public static func named(_ name: String) throws(ConfigError) -> Preset {
        guard let preset = all.first(where: { $0.name == name }) else {
            throw ConfigError("unknown preset \"\(name)\"; valid presets: "
                              + all.map(\.name).joined(separator: ", "))
        }
        return preset
    }

    private static func makePreset(task: TaskDescriptor, network: String) -> Preset {
        let sizes: (input: Int, output: Int)
        do {
            let instance = try task.make()
            sizes = (instance.inputSize, instance.outputSize)
        } catch {
            preconditionFailure("task \"\(task.name)\" has invalid default options: \(error)")
        }
        let row = task.paperNetworks
        func ntm(_ controller: ModelConfig.ControllerKind, heads: Int, layers: [Int]) -> ModelConfig {
            var config = ModelConfig(kind: .ntm, inputSize: sizes.input, outputSize: sizes.output,
                                     controller: controller, controllerLayers: layers,
                                     readHeads: heads, writeHeads: heads,
                                     memoryRows: 128, memoryWidth: 20, shiftRange: 1)
            config.initialMemory = controller == .feedforward ? row.feedforwardMemory : .constant
            return config
        }
        let model: ModelConfig
        let rate: Double
        switch network {
        case "ntm-feedforward":
            model = ntm(.feedforward, heads: row.feedforwardHeads, layers: row.feedforwardLayers)
            rate = row.feedforwardRate
        case "ntm-lstm":
            model = ntm(.lstm, heads: row.lstmHeads, layers: row.lstmLayers)
            rate = row.lstmRate
        case "lstm":
            model = .lstmBaseline(inputSize: sizes.input, outputSize: sizes.output,
                                  layers: Array(repeating: row.baselineUnits, count: 3))
            rate = row.baselineRate
        default:
            preconditionFailure("unknown network \"\(network)\"")
        }
        // Graves' RMSProp exactly as in the paper (these are also
        // OptimizerConfig's defaults, spelled out so a change there cannot
        // silently change the presets).
        var optimizer = OptimizerConfig(kind: .rmsprop, learningRate: rate)
        optimizer.momentum = 0.9
        optimizer.decay = 0.95
        optimizer.epsilon = 1e-4
        optimizer.clipValue = 10
        optimizer.clipNorm = 0
        return Preset(name: "\(task.name)/\(network)", task: task.name, network: network,
                      model: model, optimizer: optimizer, batchSize: 1)
    }
}
