import ArgumentParser
import Foundation
import NTM
import NTMPlot

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by SIGINT/SIGTERM; the training loop checks it between batches.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// The defaults of `ntm train`, in one place (docs/CLI.md explains them).
enum TrainDefaults {
    static let task = TaskKind.copy
    static let network = NetworkName.ntmFeedforward

    /// The optimiser when --optimizer is not given: Adam, except where the
    /// task's `TaskPresentation.defaultOptimizer` says otherwise.
    static func optimizer(task: TaskKind, network: NetworkName) -> OptimizerConfig.Kind {
        task.presentation.defaultOptimizer[network]
    }
    static let batchSize = 1
    static let seed: UInt64 = 1
    /// Without --sequences or --time, training stops here if it has not converged.
    static let sequenceCap = 1_000_000
    static let window = 1000
    static let holdoutSequences = 200
    /// Sequences between two held-out checks.
    static let holdoutEvery = 1000
    static let logEvery = 100
    static let saveEvery = 300.0
    /// Once the training window first meets the convergence criterion, the
    /// learning rate drops by `polishRateFactor` and training goes on for at
    /// least this many sequences, until the held-out check passes too
    /// (docs/CLI.md: the copy seed tables that chose it). A long polish at
    /// a low rate: at lr × 0.1 the weights still drift far enough to relapse
    /// for tens of thousands of sequences; at lr × 0.01 they barely move and
    /// the sharper, longer-reaching solution is not found.
    static let polishSequences = 150_000
    static let polishRateFactor = 0.03

    /// Adam's learning rate when --lr is not given: 1e-3 trains copy
    /// fastest; `TaskPresentation.adamRate` has the exceptions.
    static func adamRate(task: TaskKind) -> Double {
        task.presentation.adamRate
    }
}

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

    @Option(help: "Once the training window first meets the criterion, train at least this many more sequences at the learning rate times --polish-lr-factor, then stop when the held-out check passes (0: no polish; stop at convergence). (default: \(grouped(TrainDefaults.polishSequences)))")
    var polish: Int?

    @Option(name: .customLong("polish-lr-factor"), help: "The learning rate of the polish phase, relative to the run's.")
    var polishRateFactor: Double = TrainDefaults.polishRateFactor

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

/// One invocation of `ntm train`: set up (new or resumed), the loop, and
/// the files it writes.
struct TrainingSession {
    let command: Train
    let taskKind: TaskKind
    let taskOptions: [String: Double]
    let task: any SizedTask
    let networkName: String
    let network: Network<Float>
    let trainer: Trainer<Float>
    let batchSize: Int
    let directory: String
    var rows: [CurveRow] = []
    /// Training seconds of earlier invocations (from curve.csv on resume).
    var secondsBefore = 0.0
    let resumedFrom: Int
    var tracker: ConvergenceTracker
    /// The held-out convergence check: fixed sequences of the largest
    /// training size (and, for N-grams, the optimal cost of each).
    var holdout: [TaskSequence] = []
    var holdoutOptimal: [Double] = []
    var holdoutSize = TestSize(1)
    var lastHoldoutCheck = Int.min / 2
    var lastHoldoutMeasure = Double.nan
    /// Sequences seen when the training window first met the criterion;
    /// from then on the run polishes at the lower rate.
    var polishFrom: Int? = nil
    var polishSequences: Int { command.polish ?? TrainDefaults.polishSequences }

    /// Held-out sets for --validate, drawn once.
    var validationSets: [(size: TestSize, sequences: [TaskSequence])] = []
    var validationLog: [String] = []

    var modelPath: String { directory + "/model.safetensors" }
    var validationPath: String { directory + "/validation.csv" }
    var curveCSVPath: String { directory + "/curve.csv" }
    var curveSVGPath: String { directory + "/curve.svg" }
    var sequenceSVGPath: String { directory + "/sequence.svg" }

    init(_ command: Train) throws {
        self.command = command
        let threads = command.threads ?? availableCores
        let givenOptions = try parseTaskOptions(command.taskOptions)

        // Where the run lives.
        let provisionalTask = command.task ?? TrainDefaults.task
        let provisionalNetwork = command.network ?? TrainDefaults.network
        directory = command.output ?? "runs/\(provisionalTask.rawValue)-\(provisionalNetwork.rawValue)"
        let modelPath = directory + "/model.safetensors"
        let exists = FileManager.default.fileExists(atPath: modelPath)

        if command.resume {
            guard exists else {
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
            taskKind = file.taskKind
            taskOptions = file.taskOptions
            polishFrom = file.polishFrom
            task = try file.makeTask()
            networkName = file.networkDescription
            network = file.network
            var config = state.optimizer
            if let lr = command.lr { config.learningRate = lr }
            trainer = Trainer(network: network, optimizer: config, threads: threads)
            do {
                try state.restore(into: trainer)
            } catch {
                throw CLIError("--resume: \(error.message)")
            }
            let seen = trainer.sequencesSeen
            resumedFrom = seen
            if let text = try? String(contentsOfFile: directory + "/curve.csv", encoding: .utf8),
               let parsed = CurveRow.parse(text) {
                let kept = parsed.filter { $0.sequences <= seen }
                rows = kept
                secondsBefore = kept.last?.seconds ?? 0
            }
        } else {
            if exists && !command.overwrite {
                throw CLIError("'\(directory)' already holds a run; pass --resume to continue it, --overwrite to "
                               + "replace it, or --output for another directory")
            }
            taskKind = provisionalTask
            taskOptions = givenOptions
            do {
                task = try taskKind.descriptor.make(options: taskOptions)
            } catch {
                throw CLIError(error.message)
            }
            networkName = provisionalNetwork.rawValue
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
            network = Network<Float>(config: model, seed: command.seed)
            let kind = command.optimizer ?? TrainDefaults.optimizer(task: taskKind, network: provisionalNetwork)
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
            trainer = Trainer(network: network, optimizer: optimizer, threads: threads,
                              dataSeed: command.seed &+ 0x5EED_DA7A)
            resumedFrom = 0
        }
        batchSize = command.batchSize ?? TrainDefaults.batchSize

        var criterion = taskKind.descriptor.convergence
        criterion.window = command.window
        if let threshold = command.threshold { criterion.threshold = threshold }
        tracker = ConvergenceTracker(criterion: criterion)

        holdoutSize = task.largestTrainingSize
        var holdoutRNG = SeededGenerator(seed: command.seed &+ 0x401D_0017)
        for _ in 0..<command.holdoutSequences {
            do {
                holdout.append(try GeneralisationTests.sample(task, size: holdoutSize, using: &holdoutRNG))
            } catch {
                throw CLIError("held-out set: \(error.message)")
            }
        }
        if let order = (task as? DynamicNGramTask)?.order {
            holdoutOptimal = holdout.map { DynamicNGramTask.optimalCost(of: $0, order: order) }
        }
        var rng = SeededGenerator(seed: command.seed &+ 0x7E57)
        for size in command.validationSizes.flatMap(\.sizes) {
            var set: [TaskSequence] = []
            for _ in 0..<command.validateSequences {
                do {
                    set.append(try GeneralisationTests.sample(task, size: size, using: &rng))
                } catch {
                    throw CLIError("--validate: \(error.message)")
                }
            }
            validationSets.append((size, set))
        }
        if command.resume, let text = try? String(contentsOfFile: directory + "/validation.csv", encoding: .utf8) {
            let seen = resumedFrom
            validationLog = text.split(separator: "\n").dropFirst().map(String.init).filter { line in
                (line.split(separator: ",").first.flatMap { Int($0) } ?? Int.max) <= seen
            }
        }

        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create output directory '\(directory)': \((error as NSError).localizedDescription)")
        }
    }

    /// "copy (width 8, lengths 1–20)" style description of the task's options.
    var taskDescription: String {
        let defaults = taskKind.descriptor.defaultOptions
        let keys = taskKind.descriptor.options.map(\.key)
        let parts = keys.map { key in "\(key)=\(CurveRow.number(taskOptions[key] ?? defaults[key] ?? 0))" }
        return "\(taskKind) (\(parts.joined(separator: ", ")))"
    }

    enum Stop {
        case converged, polished, sequences, time, cap, interrupted
    }

    /// Sequences at which the polish phase may end, once it has started.
    var polishEnd: Int? { polishFrom.map { $0 + polishSequences } }

    /// Enters the polish phase: the rate drops for the rest of the run.
    mutating func startPolishing() {
        polishFrom = trainer.sequencesSeen
        trainer.optimizer.learningRate *= command.polishRateFactor
    }

    mutating func run() throws {
        let opt = trainer.optimizer.config
        let quiet = command.quiet
        let sequenceTarget = command.sequences ?? (command.time == nil ? TrainDefaults.sequenceCap : nil)
        if !quiet {
            let verb = resumedFrom > 0 ? "resuming at \(grouped(resumedFrom)) sequences:" : "training"
            say("\(verb) \(networkName) on \(taskDescription)")
            say("  \(grouped(network.layout.count)) parameters · \(opt.kind.rawValue) lr \(CurveRow.number(opt.learningRate)) "
                + "· batch \(batchSize) · \(trainer.threads) thread\(trainer.threads == 1 ? "" : "s") · seed \(command.seed)")
            var stops: [String] = []
            if command.stopWhenConverged, let end = polishEnd {
                stops.append("polished (from \(grouped(polishFrom ?? 0)) to \(grouped(end)) sequences) and the "
                             + "\(holdout.count) held-out sequences meet the criterion")
            } else if command.stopWhenConverged {
                var rule = "converged: \(tracker.criterion.description)"
                if !holdout.isEmpty {
                    rule += ", and the same on \(holdout.count) held-out sequences of "
                        + taskKind.presentation.describeSize(holdoutSize)
                }
                if polishSequences > 0 {
                    rule = "polished: \(grouped(polishSequences)) sequences at lr × \(CurveRow.number(command.polishRateFactor)) "
                        + "after the window first met the criterion, then " + rule
                }
                stops.append(rule)
            }
            if let n = command.sequences { stops.append("\(grouped(n)) sequences") }
            if let t = command.time { stops.append("\(CurveRow.number(t)) s") }
            if command.sequences == nil && command.time == nil {
                stops.append("not converged after \(grouped(TrainDefaults.sequenceCap)) sequences")
            }
            say("  stops when \(stops.joined(separator: "; or "))")
            say("  output \(directory)/")
        }

        stopRequested = 0
        let handler: @convention(c) (Int32) -> Void = { number in
            stopRequested = 1
            // A second signal ends the process the usual way.
            _ = signal(number, SIG_DFL)
        }
        let oldInt = signal(SIGINT, handler)
        let oldTerm = signal(SIGTERM, handler)
        // A reader that goes away (`ntm train | head`) must not kill the
        // run before it has saved: writes to a closed pipe just fail.
        let oldPipe = signal(SIGPIPE, SIG_IGN)
        defer {
            signal(SIGINT, oldInt)
            signal(SIGTERM, oldTerm)
            signal(SIGPIPE, oldPipe)
        }

        let ngramOrder = (task as? DynamicNGramTask)?.order
        let progress = ProgressDisplay(enabled: !quiet, terminal: stdoutIsTerminal, target: command.sequences,
                                       timeBudget: command.time, startSequences: trainer.sequencesSeen,
                                       secondsBefore: secondsBefore, showsOptimal: ngramOrder != nil)
        let start = now()
        var lastSave = start
        var pending = (sequences: 0, loss: 0.0, errors: 0.0, optimal: 0.0)
        var stop: Stop = .cap

        func flushRow(_ elapsed: Double) {
            guard pending.sequences > 0 else { return }
            let n = Double(pending.sequences)
            rows.append(CurveRow(sequences: trainer.sequencesSeen, lossBits: pending.loss / n,
                                 bitErrors: pending.errors / n, seconds: secondsBefore + elapsed,
                                 optimalBits: ngramOrder == nil ? nil : pending.optimal / n))
            pending = (0, 0, 0, 0)
        }

        while true {
            if stopRequested != 0 { stop = .interrupted; break }
            if let target = sequenceTarget, trainer.sequencesSeen >= target {
                stop = command.sequences != nil ? .sequences : .cap
                break
            }
            if let budget = command.time, now() - start >= budget { stop = .time; break }

            var n = batchSize
            if let target = sequenceTarget { n = min(n, target - trainer.sequencesSeen) }
            if command.stopWhenConverged, let end = polishEnd, trainer.sequencesSeen < end {
                n = min(n, end - trainer.sequencesSeen)
            }
            let batch = task.batch(n, using: &trainer.dataGenerator)
            let result = trainer.train(batch)
            var optimal = 0.0
            if let order = ngramOrder {
                for s in batch { optimal += DynamicNGramTask.optimalCost(of: s, order: order) }
            }
            if let refusal = result.refusal {
                // The trainer refused the update and changed nothing: the
                // weights are the last finite ones. Save them and the curve
                // so that the run ends with a loadable model on disk.
                progress.finish()
                flushRow(now() - start)
                try saveAll(drawSequence: false)
                let seen = trainer.sequencesSeen
                throw CLIError("training diverged on the update from sequence \(grouped(seen + 1))"
                               + (result.sequences > 1 ? " to \(grouped(seen + result.sequences))" : "")
                               + " (\(refusal)); the update was refused and the model as it was after "
                               + "\(grouped(seen)) sequence\(seen == 1 ? "" : "s") (the last finite state) is saved in "
                               + "'\(directory)' with its curve; try a lower --lr")
            }
            tracker.record(sequences: result.sequences, lossBits: result.lossBits,
                           bitErrors: Double(result.bitErrors), optimalBits: optimal)
            pending.sequences += result.sequences
            pending.loss += result.lossBits
            pending.errors += Double(result.bitErrors)
            pending.optimal += optimal
            let t = now()
            if trainer.sequencesSeen - (rows.last?.sequences ?? 0) >= command.logEvery { flushRow(t - start) }
            if !validationSets.isEmpty
                && trainer.sequencesSeen / command.validateEvery > (trainer.sequencesSeen - result.sequences) / command.validateEvery {
                let line = runValidation()
                if !quiet {
                    progress.finish()
                    say(line)
                }
            }
            progress.update(sequences: trainer.sequencesSeen, tracker: tracker, now: t)
            if command.stopWhenConverged && polishSequences > 0 && polishFrom == nil && tracker.isConverged {
                startPolishing()
                if !quiet {
                    progress.finish()
                    say("the training window met the criterion at \(grouped(trainer.sequencesSeen)) sequences; "
                        + "polishing at lr \(CurveRow.number(trainer.optimizer.learningRate)) until "
                        + "\(grouped(polishEnd ?? 0))")
                }
            }
            if command.stopWhenConverged && tracker.isConverged && trainer.sequencesSeen >= (polishEnd ?? 0)
                && trainer.sequencesSeen - lastHoldoutCheck >= TrainDefaults.holdoutEvery {
                let passed = checkHoldout()
                if !quiet && !holdout.isEmpty {
                    progress.finish()
                    say("held-out check at \(grouped(trainer.sequencesSeen)) sequences: \(holdoutDescription)"
                        + (passed ? " · converged" : " · not yet"))
                }
                if passed { stop = polishFrom == nil ? .converged : .polished; break }
            }
            if t - lastSave >= command.saveEvery {
                flushRow(t - start)
                try saveAll(drawSequence: false)
                lastSave = now()
            }
        }
        let elapsed = now() - start
        flushRow(elapsed)
        progress.update(sequences: trainer.sequencesSeen, tracker: tracker, now: now(), force: true)
        progress.finish()

        let seenNow = trainer.sequencesSeen - resumedFrom
        let rate = elapsed > 0 ? Double(seenNow) / elapsed : 0
        let measure = tracker.criterion.measure == .bitErrors
            ? "mean cost \(fixed(tracker.meanLossBits, 4)) bits and \(fixed(tracker.meanBitErrors, 4)) bit errors per sequence"
            : "mean cost \(fixed(tracker.meanLossBits, 3)) bits per sequence, \(fixed(tracker.measure, 3)) above optimal"
        let over = "over the last \(grouped(tracker.sequences)) training sequences"
        var summary: String
        switch stop {
        case .converged:
            summary = "converged after \(grouped(trainer.sequencesSeen)) sequences: \(measure) \(over) "
                + "(< \(CurveRow.number(tracker.criterion.threshold)))"
                + (holdout.isEmpty ? "" : ", and \(holdoutDescription)")
        case .polished:
            summary = "converged after \(grouped(trainer.sequencesSeen)) sequences, polished at lr "
                + "\(CurveRow.number(trainer.optimizer.learningRate)) from \(grouped(polishFrom ?? 0)): "
                + "\(measure) \(over)" + (holdout.isEmpty ? "" : ", and \(holdoutDescription)")
        case .sequences:
            summary = "stopped after \(grouped(trainer.sequencesSeen)) sequences (--sequences): \(measure) \(over)"
        case .time:
            summary = "stopped after \(CurveRow.number(command.time ?? 0)) s (--time) at \(grouped(trainer.sequencesSeen)) "
                + "sequences: \(measure) \(over)"
        case .cap:
            summary = "NOT CONVERGED: stopped at the cap of \(grouped(trainer.sequencesSeen)) sequences with \(measure) "
                + "\(over) (needs < \(CurveRow.number(tracker.criterion.threshold))); continue with --resume "
                + "--sequences N, or try another --seed or --lr"
        case .interrupted:
            summary = "interrupted at \(grouped(trainer.sequencesSeen)) sequences: \(measure) \(over); "
                + "continue with --resume"
        }
        if seenNow == 0 {
            summary = "nothing to train: the run has already seen \(grouped(trainer.sequencesSeen)) sequences"
        }
        // Save before saying anything more, so that a closed stdout cannot cost the run.
        let picture = try saveAll(drawSequence: true)
        say(summary)
        say("  \(grouped(seenNow)) sequences in \(clockTime(elapsed)) (\(fixed(rate, 1)) sequences/s)")
        say("  wrote \(modelPath), curve.csv, curve.svg, sequence.svg")
        if let picture {
            say("  sequence.svg: \(picture.task) \(picture.task.presentation.describeSize(picture.size)), "
                + "\(picture.bitErrors) bit errors, cost \(fixed(picture.lossBits, 3)) bits")
        }
        if stop == .interrupted { throw ExitCode(130) }
    }

    /// The training window has converged: does the held-out set agree?
    mutating func checkHoldout() -> Bool {
        lastHoldoutCheck = trainer.sequencesSeen
        guard !holdout.isEmpty else { return true }
        let scored = Eval.evaluate(holdout, network: network, workers: trainer.threads)
        let n = Double(holdout.count)
        switch tracker.criterion.measure {
        case .bitErrors:
            lastHoldoutMeasure = Double(scored.reduce(0) { $0 + $1.errors }) / n
        case .excessCost:
            lastHoldoutMeasure = (scored.reduce(0) { $0 + $1.loss } - holdoutOptimal.reduce(0, +)) / n
        }
        return lastHoldoutMeasure < tracker.criterion.threshold
    }

    var holdoutDescription: String {
        let what = tracker.criterion.measure == .bitErrors ? "bit errors per sequence" : "bits per sequence above optimal"
        return "\(fixed(lastHoldoutMeasure, 4)) \(what) on \(holdout.count) held-out sequences of "
            + taskKind.presentation.describeSize(holdoutSize)
    }

    /// Measures the held-out sets; returns a line for the log.
    mutating func runValidation() -> String {
        var parts: [String] = []
        for (size, set) in validationSets {
            let scored = Eval.evaluate(set, network: network, workers: trainer.threads)
            let n = Double(set.count)
            let loss = scored.reduce(0) { $0 + $1.loss } / n
            let errors = Double(scored.reduce(0) { $0 + $1.errors }) / n
            validationLog.append("\(trainer.sequencesSeen),\(size),\(CurveRow.number(loss)),\(CurveRow.number(errors))")
            parts.append("\(size): \(fixed(loss, 3)) bits, \(fixed(errors, 3)) errors")
        }
        return "validation at \(grouped(trainer.sequencesSeen)) sequences · " + parts.joined(separator: " · ")
    }

    /// Writes the checkpoint and the curve, and (at the end) the pictures.
    @discardableResult
    func saveAll(drawSequence: Bool) throws -> SequenceRun? {
        try saveModelFile(network, trainer: trainer, to: modelPath, task: taskKind.rawValue, taskOptions: taskOptions,
                          networkName: networkName, polishFrom: polishFrom)
        let optimal = rows.contains { $0.optimalBits != nil }
        let csv = ([CurveRow.header(optimal: optimal)] + rows.map(\.csv)).joined(separator: "\n") + "\n"
        try writeText(csv, to: curveCSVPath)
        if !validationLog.isEmpty {
            try writeText((["sequences,size,loss_bits,bit_errors"] + validationLog).joined(separator: "\n") + "\n",
                          to: validationPath)
        }
        guard drawSequence else { return nil }
        try writeText(learningCurveSVG(rows: rows, title: "\(taskKind) · \(networkName) · learning curve"),
                      to: curveSVGPath)
        let run = try SequenceRun.record(network: network, task: task, taskKind: taskKind, networkName: networkName,
                                         size: task.pictureSize, seed: command.seed)
        try writeText(run.picture.svg(), to: sequenceSVGPath)
        return run
    }
}
