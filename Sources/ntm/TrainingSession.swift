import Foundation
import NTM

/// One invocation of `ntm train`: the model and trainer it works on, the
/// held-out sets it measures, and the state the loop carries between
/// updates.
struct TrainingSession {
    let command: Train
    let taskKind: TaskKind
    let taskOptions: [String: Double]
    let task: any SizedTask
    let networkName: String
    let network: Network<Float>
    let trainer: Trainer<Float>
    /// Measures the held-out sets, on as many threads as the trainer; made
    /// at the first check, so a run without held-out sets starts no workers.
    lazy var heldOutEvaluator = BatchEvaluator(network: network, workers: trainer.threads)
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
    /// The polish phase after the training window first meets the
    /// criterion: its length and rate, and where it began (restored on resume).
    var polish: PolishSchedule

    /// Held-out sets for --validate, drawn once.
    var validationSets: [(size: TestSize, sequences: [TaskSequence])] = []
    var validationLog: [String] = []

    init(_ command: Train) throws {
        self.command = command
        let threads = command.threads ?? availableCores
        let givenOptions = try parseTaskOptions(command.taskOptions)

        // Where the run lives: named by the flags, even when resuming a
        // run whose model will say the task and network.
        let provisionalTask = command.task ?? TrainDefaults.task
        let provisionalNetwork = command.network ?? TrainDefaults.network
        directory = command.output ?? "runs/\(provisionalTask.rawValue)-\(provisionalNetwork.rawValue)"

        let start: TrainingStart
        if command.resume {
            start = try .resumed(command, directory: directory, givenOptions: givenOptions, threads: threads)
        } else {
            start = try .new(command, taskKind: provisionalTask, network: provisionalNetwork, directory: directory,
                             givenOptions: givenOptions, threads: threads)
        }
        taskKind = start.taskKind
        taskOptions = start.taskOptions
        task = start.task
        networkName = start.networkName
        network = start.network
        trainer = start.trainer
        resumedFrom = start.resumedFrom
        polish = PolishSchedule(sequences: command.polish ?? PolishSchedule.defaultSequences,
                                rateFactor: command.polishRateFactor, startedAt: start.polishFrom)
        rows = start.rows
        secondsBefore = start.secondsBefore
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
}
