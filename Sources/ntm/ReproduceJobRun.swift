import Foundation
import NTM

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one job ended in this invocation.
enum ReproduceOutcome {
    /// job.json was already there.
    case skipped(ReproduceJobResult)
    case finished(ReproduceJobResult)
    /// Training failed (e.g. diverged); recorded in job.json, not retried.
    case failed(ReproduceJobResult)
    /// Stopped by Ctrl-C; the run is saved and continues on the next invocation.
    case interrupted
}

/// Runs one (task, network, seed) job as `ntm train` and `ntm eval`
/// subprocesses in `directory`, continuing whatever an earlier,
/// interrupted invocation left there.
struct ReproduceJobRun {
    let job: ReproduceJob
    let directory: String
    let binary: String
    /// Told about each child process as it starts (nil when it has ended),
    /// so that an interrupt can reach it.
    let track: (Process?) -> Void

    var modelPath: String { directory + "/model.safetensors" }

    /// A child's exit status and what it wrote.
    struct ChildResult {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Ended by a signal, or while `ntm reproduce` is being interrupted:
        /// not a failure of the job, which continues on the next run.
        var interrupted: Bool
        /// The last line of stderr without the "ntm: " prefix.
        var errorLine: String {
            let line = stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit status \(status)"
            return line.hasPrefix("ntm: ") ? String(line.dropFirst(5)) : line
        }
    }

    /// Runs the tool with `arguments`; its output goes through files in the
    /// job directory (no pipe to fill up) and is appended to `log`.
    func runChild(_ arguments: [String], log: String) throws -> ChildResult {
        let outPath = directory + "/.child.out", errPath = directory + "/.child.err"
        let fm = FileManager.default
        guard fm.createFile(atPath: outPath, contents: nil), fm.createFile(atPath: errPath, contents: nil),
              let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw CLIError("cannot write in '\(directory)'")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? out.close()
            try? err.close()
            throw CLIError("cannot start '\(binary)': \(error.localizedDescription)")
        }
        track(process)
        process.waitUntilExit()
        track(nil)
        try? out.close()
        try? err.close()
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
        let entry = "$ ntm \(arguments.joined(separator: " "))\n\(stdout)\(stderr)"
            + "(exit status \(process.terminationStatus))\n\n"
        appendText(entry, to: directory + "/" + log)
        return ChildResult(status: process.terminationStatus, stdout: stdout, stderr: stderr,
                           interrupted: process.terminationStatus == 130 || process.terminationReason == .uncaughtSignal
                               || reproduceStopRequested != 0)
    }

    func appendText(_ text: String, to path: String) {
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try? handle.close()
        } else {
            // A directory that cannot take its log cannot take the child's
            // output either: the next runChild reports it.
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        }
    }

    /// Training seconds recorded in curve.csv so far.
    func curveRows() -> [CurveRow] {
        guard let text = try? String(contentsOfFile: directory + "/curve.csv", encoding: .utf8) else { return [] }
        return CurveRow.parse(text) ?? []
    }

    func run() throws -> ReproduceOutcome {
        if let done = ReproduceJobResult.load(directory: directory) { return .skipped(done) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create '\(directory)': \((error as NSError).localizedDescription)")
        }

        // Training, unless an earlier invocation finished it.
        var summary = ReproduceTrainMarker.load(directory: directory)?.summary
        if summary == nil {
            var arguments = ["train", "--quiet", "--threads", "1", "--task", job.task, "--network", job.network,
                             "--seed", String(job.seed), "--output", directory,
                             "--sequences", String(job.budget.sequences)]
            var seconds = job.budget.seconds
            if FileManager.default.fileExists(atPath: modelPath) {
                arguments.append("--resume")
                seconds -= curveRows().last?.seconds ?? 0
            }
            if seconds >= 0.5 {
                arguments += ["--time", CurveRow.number(seconds, 1)]
                let result = try runChild(arguments, log: "train.log")
                if result.interrupted && result.status != 0 { return .interrupted }
                if result.status != 0 {
                    return .failed(try record(failure: "training: " + result.errorLine))
                }
                summary = result.stdout.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            } else {
                summary = "time cap already used up"
            }
            try ReproduceTrainMarker(summary: summary ?? "", budget: job.budget).save(directory: directory)
        }

        // Evaluations.
        var evals: [ReproduceEvalResult] = []
        let evalStart = now()
        for spec in job.evals {
            var arguments = ["eval", modelPath, "--csv", "--threads", "1", "--sequences", String(spec.sequences),
                             "--seed", String(spec.seed)]
            if let lengths = spec.lengths { arguments += ["--lengths", lengths] }
            let result = try runChild(arguments, log: "eval.log")
            if result.interrupted && result.status != 0 { return .interrupted }
            if result.status != 0 { return .failed(try record(failure: "eval: " + result.errorLine)) }
            guard let rows = Self.parseEvalCSV(result.stdout) else {
                return .failed(try record(failure: "eval printed no CSV table"))
            }
            evals.append(ReproduceEvalResult(name: spec.name, lengths: spec.lengths, sequences: spec.sequences,
                                             seed: spec.seed, rows: rows))
        }
        var result = try record(failure: nil, summary: summary ?? "")
        result.evals = evals
        result.evalSeconds = now() - evalStart
        try result.save(directory: directory)
        return .finished(result)
    }

    /// The job's result from its model and curve (evaluations filled in by
    /// the caller); with `failure`, saved at once as a failed job.
    func record(failure: String?, summary: String = "") throws -> ReproduceJobResult {
        var sequences = 0
        var convergedAt: Int? = nil
        if let file = try? ModelFile.load(modelPath) {
            sequences = file.trainerState?.sequencesSeen ?? 0
            // The training window first met the criterion here; the
            // polish at the lower rate followed.
            convergedAt = file.polishFrom
        }
        let rows = curveRows()
        var stop: String
        if let c = convergedAt {
            // The job trains with the default polish; only its sequence
            // budget is told apart from the convergence rule here.
            let polish = PolishSchedule(startedAt: c)
            stop = polish.ending(sequencesSeen: sequences, stoppedByBudget: sequences >= job.budget.sequences)
                == .polished ? "converged and polished" : "converged (polish cut short by the budget)"
        } else {
            stop = sequences >= job.budget.sequences ? "sequence cap" : "time cap"
        }
        if failure != nil { stop = "failed" }
        // Means over the last rows covering up to 1000 sequences.
        var weight = 0.0, loss = 0.0, errors = 0.0, optimal = 0.0
        var hasOptimal = false
        var i = rows.count - 1
        while i >= 0 {
            let previous = i > 0 ? rows[i - 1].sequences : 0
            let w = Double(max(1, rows[i].sequences - previous))
            weight += w
            loss += w * rows[i].lossBits
            errors += w * rows[i].bitErrors
            if let o = rows[i].optimalBits { optimal += w * o; hasOptimal = true }
            if rows.last!.sequences - previous >= 1000 { break }
            i -= 1
        }
        let result = ReproduceJobResult(
            task: job.task, network: job.network, seed: job.seed, status: failure == nil ? "finished" : "failed",
            error: failure, budget: job.budget, sequences: sequences, convergedAt: convergedAt, stop: stop,
            trainSeconds: rows.last?.seconds ?? 0, evalSeconds: 0,
            finalLossBits: weight > 0 ? loss / weight : .nan, finalBitErrors: weight > 0 ? errors / weight : .nan,
            finalOptimalBits: hasOptimal && weight > 0 ? optimal / weight : nil,
            summary: failure ?? summary, evals: [])
        if failure != nil { try result.save(directory: directory) }
        return result
    }

    /// Parses `ntm eval --csv`.
    static func parseEvalCSV(_ text: String) -> [ReproduceEvalRow]? {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first,
              header == "size,steps,sequences,loss_bits,bit_errors,error_free,optimal_bits,in_training" else { return nil }
        lines.removeFirst()
        var rows: [ReproduceEvalRow] = []
        for line in lines {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 8, let steps = Int(f[1]), let n = Int(f[2]), let loss = Double(f[3]),
                  let errors = Double(f[4]), let free = Int(f[5]) else { return nil }
            rows.append(ReproduceEvalRow(size: f[0], steps: steps, sequences: n, lossBits: loss, bitErrors: errors,
                                         errorFree: free, optimalBits: f[6].isEmpty ? nil : Double(f[6]),
                                         inTraining: f[7] == "1"))
        }
        return rows.isEmpty ? nil : rows
    }
}
