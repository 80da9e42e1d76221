import Foundation
import NTM

/// What a run of `ntm train` starts from: the model saved in the output
/// directory (--resume), or a new one built from the task's preset.
struct TrainingStart {
    let taskKind: TaskKind
    let taskOptions: [String: Double]
    let task: any SizedTask
    let networkName: String
    let network: Network<Float>
    let trainer: Trainer<Float>
    /// Sequences the saved run had seen; 0 for a new one.
    let resumedFrom: Int
    let polishFrom: Int?
    /// The saved curve up to the checkpoint.
    let rows: [CurveRow]
    /// Training seconds of earlier invocations (from curve.csv on resume).
    let secondsBefore: Double

    /// Loads the checkpoint, refusing flags that contradict it.
    static func resumed(_ command: Train, directory: String, givenOptions: [String: Double],
                        threads: Int) throws -> TrainingStart {
        let modelPath = directory + "/model.safetensors"
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw CLIError("--resume: there is no model to resume at '\(modelPath)'")
        }
        let file = try ModelFile.load(modelPath)
        guard let state = file.trainerState else {
            throw CLIError("--resume: '\(modelPath)' holds weights only, no trainer state")
        }
        if let t = command.task, t != file.taskKind {
            throw CLIError("--resume: the model in '\(directory)' was trained on \(file.taskKind), not \(t.rawValue)")
        }
        if let n = command.network, n.rawValue != file.networkDescription {
            throw CLIError("--resume: the model in '\(directory)' is \(file.networkDescription), not \(n.rawValue)")
        }
        if !givenOptions.isEmpty && givenOptions != file.taskOptions {
            throw CLIError("--resume: --task-option differs from the options the model was trained with")
        }
        if let w = command.initialWeighting, w != file.network.config.initialWeighting {
            throw CLIError("--resume: --initial-weighting applies to new runs only")
        }
        if let m = command.initialMemory, m != file.network.config.initialMemory {
            throw CLIError("--resume: --initial-memory applies to new runs only")
        }
        if let kind = command.optimizer, kind != state.optimizer.kind {
            throw CLIError("--resume: the saved trainer uses \(state.optimizer.kind.rawValue), not \(kind.rawValue)")
        }
        let task = try file.makeTask()
        let network = file.network
        var config = state.optimizer
        if let lr = command.lr { config.learningRate = lr }
        let trainer = Trainer(network: network, optimizer: config, threads: threads)
        do {
            try state.restore(into: trainer)
        } catch {
            throw CLIError("--resume: \(error.message)")
        }
        let seen = trainer.sequencesSeen
        var rows: [CurveRow] = []
        var secondsBefore = 0.0
        if let text = try? String(contentsOfFile: directory + "/curve.csv", encoding: .utf8),
           let parsed = CurveRow.parse(text) {
            let kept = parsed.filter { $0.sequences <= seen }
            rows = kept
            secondsBefore = kept.last?.seconds ?? 0
        }
        return TrainingStart(taskKind: file.taskKind, taskOptions: file.taskOptions, task: task,
                             networkName: file.networkDescription, network: network, trainer: trainer,
                             resumedFrom: seen, polishFrom: file.polishFrom, rows: rows, secondsBefore: secondsBefore)
    }

    /// Builds the preset's network for the task, with the flags' changes to
    /// its initial state and optimiser.
    static func new(_ command: Train, taskKind: TaskKind, network networkKind: NetworkName, directory: String,
                    givenOptions: [String: Double], threads: Int) throws -> TrainingStart {
        if FileManager.default.fileExists(atPath: directory + "/model.safetensors") && !command.overwrite {
            throw CLIError("'\(directory)' already holds a run; pass --resume to continue it, --overwrite to "
                           + "replace it, or --output for another directory")
        }
        let task: any SizedTask
        do {
            task = try taskKind.descriptor.make(options: givenOptions)
        } catch {
            throw CLIError(error.message)
        }
        let networkName = networkKind.rawValue
        let preset: Preset
        do {
            preset = try Presets.named("\(taskKind)/\(networkName)")
        } catch {
            throw CLIError(error.message)
        }
        var model = preset.model
        if let initialWeighting = command.initialWeighting { model.initialWeighting = initialWeighting }
        if let initialMemory = command.initialMemory, model.kind == .ntm { model.initialMemory = initialMemory }
        model.inputSize = task.inputSize
        model.outputSize = task.outputSize
        if let problem = model.validationError() { throw CLIError("invalid network: \(problem)") }
        let network = Network<Float>(config: model, seed: command.seed)
        let kind = command.optimizer ?? TrainDefaults.optimizer(task: taskKind, network: networkKind)
        var optimizer: OptimizerConfig
        if kind == preset.optimizer.kind {
            optimizer = preset.optimizer   // the paper's rate and clipping
        } else {
            optimizer = OptimizerConfig(kind: kind)
            optimizer.clipValue = preset.optimizer.clipValue
        }
        if kind == .adam { optimizer.learningRate = TrainDefaults.adamRate(task: taskKind) }
        if let lr = command.lr { optimizer.learningRate = lr }
        if let problem = optimizer.validationError() { throw CLIError("invalid optimiser: \(problem)") }
        let trainer = Trainer(network: network, optimizer: optimizer, threads: threads,
                              dataSeed: command.seed &+ 0x5EED_DA7A)
        return TrainingStart(taskKind: taskKind, taskOptions: givenOptions, task: task, networkName: networkName,
                             network: network, trainer: trainer, resumedFrom: 0, polishFrom: nil, rows: [],
                             secondsBefore: 0)
    }
}
