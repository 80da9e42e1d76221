import ArgumentParser
import NTM

/// `ntm train`: its flags and their checks. The run itself is a
/// `TrainingSession`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network on one of the paper's tasks.",
        discussion: """
        Trains until the run has converged (by default: mean bit errors per sequence < 0.01 over the last \
        1000 training sequences) and then polished (--polish sequences more at the learning rate \
        times --polish-lr-factor), until --sequences or --time is used up, or until interrupted (Ctrl-C \
        saves and exits). Without --sequences or --time, a run that has not converged stops after \
        \(grouped(TrainDefaults.sequenceCap)) sequences.

        Writes to the output directory: model.safetensors (weights and trainer state; continue with \
        --resume), curve.csv, curve.svg and sequence.svg (the final model on one test sequence).
        """)

    @Option(help: "The task. (default: copy, or the resumed model's)")
    var task: TaskKind?

    @Option(name: .customLong("task-option"), parsing: .singleValue,
            help: ArgumentHelp("A task option KEY=VALUE, e.g. max_length=10 (repeatable).", valueName: "key=value"))
    var taskOptions: [String] = []

    @Option(help: "The network, with the paper's sizes for the task. (default: \(TrainDefaults.network.rawValue))")
    var network: NetworkName?

    @Option(name: .customLong("initial-weighting"),
            help: "How the heads' learned initial weightings start: focused (all on location 0) or random. (default: focused)")
    var initialWeighting: ModelConfig.InitialWeighting?

    @Option(name: .customLong("initial-memory"),
            help: "The memory at the start of every sequence: constant (1e-6 everywhere), learned, or random (fixed at creation). (default: learned for ntm-feedforward on dynamic-ngrams and priority-sort, else constant)")
    var initialMemory: ModelConfig.InitialMemory?

    @Option(help: "Seed of the initial weights and of the training data.")
    var seed: UInt64 = TrainDefaults.seed

    @Option(help: "Stop when this many sequences have been seen in all (a resumed run counts its earlier sequences).")
    var sequences: Int?

    @Option(help: ArgumentHelp("Stop after this many seconds of training.", valueName: "seconds"))
    var time: Double?

    @Option(name: .customLong("batch-size"), help: "Sequences per update. (default: \(TrainDefaults.batchSize))")
    var batchSize: Int?

    @Option(help: "Worker threads (a batch's sequences run in parallel; results do not depend on this). (default: \(availableCores))")
    var threads: Int?

    @Option(help: "Optimiser: adam, or rmsprop (Graves 2013, the paper's). (default: adam; rmsprop on associative-recall, and on priority-sort with ntm-feedforward; or the resumed model's)")
    var optimizer: OptimizerConfig.Kind?

    @Option(help: "Learning rate. (default for adam: 1e-3, 1e-4 on associative-recall; for rmsprop: the paper's rate)")
    var lr: Double?

    @Option(help: ArgumentHelp("Output directory. (default: runs/<task>-<network>)", valueName: "dir"))
    var output: String?

    @Flag(help: "Continue the run saved in the output directory.")
    var resume = false

    @Flag(help: "Replace a run already in the output directory.")
    var overwrite = false

    @Flag(inversion: .prefixedNo, help: "Stop once converged.")
    var stopWhenConverged = true

    @Option(help: "Once the training window first meets the criterion, train at least this many more sequences at the learning rate times --polish-lr-factor, then stop when the held-out check passes (0: no polish; stop at convergence). (default: \(grouped(PolishSchedule.defaultSequences)))")
    var polish: Int?

    @Option(name: .customLong("polish-lr-factor"), help: "The learning rate of the polish phase, relative to the run's.")
    var polishRateFactor: Double = PolishSchedule.defaultRateFactor

    @Option(help: "Convergence window, in training sequences.")
    var window: Int = TrainDefaults.window

    @Option(help: "Convergence threshold on the window's mean (bit errors per sequence; for dynamic-ngrams, bits above the optimal estimator). (default: 0.01; priority-sort 1; dynamic-ngrams 2)")
    var threshold: Double?

    @Option(name: .customLong("holdout-sequences"), help: "Size of the held-out set at the largest training size that must also meet the threshold (0: window only).")
    var holdoutSequences: Int = TrainDefaults.holdoutSequences

    @Option(name: .customLong("log-every"), help: "Sequences per row of curve.csv.")
    var logEvery: Int = TrainDefaults.logEvery

    @Option(name: .customLong("save-every"), help: ArgumentHelp("Save a checkpoint this often while training.", valueName: "seconds"))
    var saveEvery: Double = TrainDefaults.saveEvery

    @Option(name: .customLong("validate"), parsing: .singleValue,
            help: ArgumentHelp("Also measure the model every --validate-every sequences on a fixed held-out set at these sizes (e.g. 20,50); printed and written to validation.csv. Monitoring only: it does not decide convergence.", valueName: "sizes"))
    var validationSizes: [TestSizeList] = []

    @Option(name: .customLong("validate-every"), help: "Sequences between validations.")
    var validateEvery: Int = 5000

    @Option(name: .customLong("validate-sequences"), help: "Held-out sequences per validation size.")
    var validateSequences: Int = 100

    @Flag(help: "Print only the final summary.")
    var quiet = false

    func validate() throws {
        if let sequences, sequences < 1 { throw ValidationError("--sequences must be at least 1") }
        if let time, !(time > 0 && time.isFinite) { throw ValidationError("--time must be a positive number of seconds") }
        if let batchSize, batchSize < 1 || batchSize > 4096 { throw ValidationError("--batch-size must be from 1 to 4096") }
        if let threads, threads < 1 || threads > 1024 { throw ValidationError("--threads must be from 1 to 1024") }
        if let lr, !(lr > 0 && lr <= 1) { throw ValidationError("--lr must be in (0, 1]") }
        if window < 1 { throw ValidationError("--window must be at least 1") }
        if let polish, polish < 0 { throw ValidationError("--polish must be 0 or more sequences") }
        if !(polishRateFactor > 0 && polishRateFactor <= 1) {
            throw ValidationError("--polish-lr-factor must be in (0, 1]")
        }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a number") }
        if logEvery < 1 { throw ValidationError("--log-every must be at least 1") }
        if !(saveEvery > 0) { throw ValidationError("--save-every must be a positive number of seconds") }
        if holdoutSequences < 0 || holdoutSequences > 100_000 {
            throw ValidationError("--holdout-sequences must be from 0 to 100000")
        }
        if validateEvery < 1 { throw ValidationError("--validate-every must be at least 1") }
        if validateSequences < 1 || validateSequences > 100_000 {
            throw ValidationError("--validate-sequences must be from 1 to 100000")
        }
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if output?.isEmpty == true { throw ValidationError("--output must not be empty") }
        _ = try parseTaskOptions(taskOptions)
    }

    func run() throws {
        var session = try TrainingSession(self)
        try session.run()
    }
}
