import ArgumentParser
import Foundation
import NTM

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a trained model on fresh sequences at several sizes.",
        discussion: """
        Prints, for each size, the mean cost in bits per sequence and the mean bit errors per sequence \
        over --sequences fresh sequences (for dynamic-ngrams also the optimal Bayesian estimator's cost \
        on the same sequences; for repeat-copy also the bit errors on the data alone and where the end \
        marker went). By default the sizes are the paper's generalisation tests:
          copy                 L = 10, 20, 30, 50, 120 vectors
          repeat-copy          L×R = 10x10, 10x20, 20x10 (vectors × repeats)
          associative-recall   6, 8, 10, 12, 15, 20 items
          dynamic-ngrams       200 bits
          priority-sort        20x16 (inputs × outputs)
        """)

    @Argument(help: ArgumentHelp("A model written by 'ntm train' (model.safetensors).", valueName: "model"))
    var model: String

    @Option(parsing: .singleValue,
            help: ArgumentHelp("Sizes to test, e.g. 10,20,50 or 10x20 for repeat-copy (repeatable).",
                               valueName: "sizes"))
    var lengths: [TestSizeList] = []

    @Option(help: "Fresh sequences per size.")
    var sequences: Int = 100

    @Option(help: "Seed of the test sequences.")
    var seed: UInt64 = 1

    @Option(help: "Worker threads. (default: \(availableCores))")
    var threads: Int?

    @Option(help: "The task, for a model file that does not record it.")
    var task: TaskKind?

    @Flag(help: "Print only a CSV table (size,steps,sequences,loss_bits,bit_errors,error_free,optimal_bits,in_training) for programs.")
    var csv = false

    func validate() throws {
        if sequences < 1 || sequences > 1_000_000 { throw ValidationError("--sequences must be from 1 to 1000000") }
        if let threads, threads < 1 || threads > 1024 { throw ValidationError("--threads must be from 1 to 1024") }
    }

    struct Row {
        var size: TestSize
        var steps: Int
        var lossBits: Double
        var bitErrors: Double
        var perfect: Int
        var optimalBits: Double?
        var inTraining: Bool
        /// Repeat copy: the end marker read apart from the data.
        var markers: MarkerSummary?
    }

    /// The end markers of one size's repeat-copy sequences.
    struct MarkerSummary {
        var dataBitErrors: Double
        /// Sequences whose marker channel is right on every answer step.
        var right = 0
        /// Sequences whose marker first rises before the step it belongs on,
        /// or not at all (it belongs on the last step, so it cannot be late).
        var early = 0, missing = 0

        init(_ readings: [RepeatCopyTask.EndMarkerReading]) {
            dataBitErrors = Double(readings.reduce(0) { $0 + $1.dataBitErrors }) / Double(max(readings.count, 1))
            for r in readings {
                if r.markerBitErrors == 0 { right += 1 }
                if let offset = r.firstMarkerOffset {
                    if offset < 0 { early += 1 }
                } else {
                    missing += 1
                }
            }
        }
    }

    func run() throws {
        let file = try ModelFile.load(model, taskOverride: task?.rawValue)
        let trainingTask = try file.makeTask()
        let sizes = lengths.isEmpty ? file.taskKind.descriptor.testSizes : lengths.flatMap(\.sizes)
        let order = (trainingTask as? DynamicNGramTask)?.order
        let workers = min(threads ?? availableCores, sequences)

        // Check every size before any work.
        for size in sizes {
            do {
                _ = try GeneralisationTests.steps(size, of: trainingTask)
            } catch {
                throw CLIError("--lengths: \(error.message)")
            }
        }

        var trained = ""
        if let state = file.trainerState { trained = ", trained on \(grouped(state.sequencesSeen)) sequences" }
        if !csv {
            say("model  \(model): \(file.taskKind), \(file.networkDescription), "
                + "\(grouped(file.network.layout.count)) parameters\(trained)")
            say("test   \(sequences) fresh sequence\(sequences == 1 ? "" : "s") per size, seed \(seed)")
            say()
        }

        var results: [Row] = []
        var rng = SeededGenerator(seed: seed)
        let evaluator = BatchEvaluator(network: file.network, workers: workers)
        let repeatCopy = trainingTask as? RepeatCopyTask
        for size in sizes {
            var batch: [TaskSequence] = []
            batch.reserveCapacity(sequences)
            for _ in 0..<sequences {
                do {
                    batch.append(try GeneralisationTests.sample(trainingTask, size: size, using: &rng))
                } catch {
                    throw CLIError("--lengths: \(error.message)")
                }
            }
            // Repeat copy reads the end marker apart, from the outputs.
            let evaluation = evaluator.evaluate(batch, outputs: repeatCopy == nil ? .dropped : .kept)
            let n = Double(sequences)
            var optimal: Double? = nil
            if let order {
                optimal = batch.reduce(0) { $0 + DynamicNGramTask.optimalCost(of: $1, order: order) } / n
            }
            let markers = repeatCopy.map { repeatCopy in
                MarkerSummary(zip(batch, evaluation.sequences).map { repeatCopy.readEndMarker(outputs: $1.outputs, of: $0) })
            }
            results.append(Row(size: size, steps: batch[0].length,
                               lossBits: evaluation.lossBitsPerSequence,
                               bitErrors: evaluation.bitErrorsPerSequence,
                               perfect: evaluation.errorFreeSequences,
                               optimalBits: optimal,
                               inTraining: trainingTask.isInTrainingRange(size),
                               markers: markers))
        }
        say(csv ? Self.csvTable(results, sequences: sequences) : Self.render(results, task: file.taskKind, sequences: sequences))
    }

    /// The rows as CSV, one line per size; `optimal_bits` is empty except for dynamic N-grams.
    static func csvTable(_ rows: [Row], sequences: Int) -> String {
        var lines = ["size,steps,sequences,loss_bits,bit_errors,error_free,optimal_bits,in_training"]
        for r in rows {
            lines.append("\(r.size),\(r.steps),\(sequences),\(CurveRow.number(r.lossBits)),\(CurveRow.number(r.bitErrors)),"
                         + "\(r.perfect),\(r.optimalBits.map { CurveRow.number($0) } ?? ""),\(r.inTraining ? 1 : 0)")
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ rows: [Row], task: TaskKind, sequences: Int) -> String {
        let sizeHeader = task.presentation.sizeHeader
        let ngrams = rows.contains { $0.optimalBits != nil }
        var header = [sizeHeader, "steps", "cost (bits/seq)"]
        if ngrams { header += ["optimal (bits/seq)", "excess"] }
        header += ["bit errors/seq", "error-free"]
        let markers = rows.contains { $0.markers != nil }
        if markers { header += ["data errors/seq", "marker right", "early/none"] }
        header += ["vs training"]
        var cells: [[String]] = [header]
        for r in rows {
            var line = [r.size.description, String(r.steps), fixed(r.lossBits, 3)]
            if let optimal = r.optimalBits { line += [fixed(optimal, 3), fixed(r.lossBits - optimal, 3)] }
            line += [fixed(r.bitErrors, 3), "\(r.perfect)/\(sequences)"]
            if let m = r.markers {
                line += [fixed(m.dataBitErrors, 3), "\(m.right)/\(sequences)", "\(m.early)/\(m.missing)"]
            }
            line += [r.inTraining ? "within" : "beyond"]
            cells.append(line)
        }
        let right = Set(0..<(header.count - 1))
        return table(cells, rightAligned: right)
    }
}
