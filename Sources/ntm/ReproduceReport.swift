import Foundation
import NTM

/// RESULTS.md of a reproduce output directory: per task the learning
/// curves, convergence, times, generalisation tables, pictures of memory
/// use, and the comparison with the paper. Built from every job.json under
/// `<output>/runs` (so it covers earlier selections with the same budgets).
struct ReproduceReport {
    var grid: ReproduceGrid
    var output: String
    var resultsPath: String
    /// Jobs selected in this invocation that have no job.json (interrupted).
    var unfinished: [ReproduceJob] = []

    var imagesDirectoryName: String { "results" }

    var resultsDirectory: String {
        let d = (resultsPath as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }

    /// Every job.json under `<output>/runs`, with its curve.
    static func load(output: String) -> [(result: ReproduceJobResult, directory: String, curve: [CurveRow])] {
        let runs = output + "/runs"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []).sorted()
        return names.compactMap { name in
            let directory = runs + "/" + name
            guard let result = ReproduceJobResult.load(directory: directory) else { return nil }
            let text = (try? String(contentsOfFile: directory + "/curve.csv", encoding: .utf8)) ?? ""
            return (result, directory, CurveRow.parse(text) ?? [])
        }
    }

    static func title(_ task: String) -> String {
        TaskKind(rawValue: task)?.presentation.title ?? task
    }

    /// How jobs on `task` are scored (bit errors for a task the tool does not know).
    static func measure(_ task: String) -> ReproduceMeasure {
        TaskKind(rawValue: task)?.presentation.measure ?? .bitErrors
    }

    /// Writes RESULTS.md and its images; returns the paths of the images.
    @discardableResult
    func write() throws -> [String] {
        let jobs = Self.load(output: output)
        let images = resultsDirectory + "/" + imagesDirectoryName
        do {
            try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create '\(images)': \((error as NSError).localizedDescription)")
        }
        var written: [String] = []
        var md: [String] = []
        let stamp = ISO8601DateFormatter().string(from: Date())
        let finished = jobs.filter { $0.result.finished }
        let failed = jobs.filter { !$0.result.finished }
        md.append("# Reproducing the paper's experiments")
        md.append("")
        let modeNote = grid.mode == "quick" ? " --quick (tiny budgets: it checks the machinery, not the paper)" : ""
        var status = "\(finished.count) job\(finished.count == 1 ? "" : "s") finished"
        if !failed.isEmpty { status += ", \(failed.count) failed" }
        if !unfinished.isEmpty {
            status += ", \(unfinished.count) not finished yet (re-run the same command to continue them)"
        }
        md.append("Written by `ntm reproduce`\(modeNote) from the runs in `\(output)` at \(stamp). \(status).")
        md.append("")
        md.append("Each job is `ntm train --quiet --threads 1 --task T --network N --seed S` with the budget below "
                  + "and otherwise the command's own defaults (the training recipe: optimiser, rate, convergence "
                  + "test and the polish phase after convergence), then `ntm eval` at the paper's test sizes. "
                  + "Each job trains on one thread; `ntm reproduce` runs `--jobs` of them at a time (by default "
                  + "one per core) and `python -m ntm.cluster` one per CPU of its machines, so the times below "
                  + "depend on the machines. The paper shows one run per network, so each verdict uses the best "
                  + "seed on its own measure, with the median over seeds beside it. Costs are bits per sequence; "
                  + "bit errors are per sequence.")
        md.append("")

        let tasks = ReproduceDefaults.tasks.filter { t in jobs.contains { $0.result.task == t } }
        var taskResults: [String: ReproduceTaskResults] = [:]
        for task in tasks {
            var r = ReproduceTaskResults(task: task, byNetwork: [:])
            for job in jobs where job.result.task == task {
                r.byNetwork[job.result.network, default: []].append(job.result)
                r.curves["\(job.result.network)-s\(job.result.seed)"] = job.curve
            }
            for key in r.byNetwork.keys { r.byNetwork[key]!.sort { $0.seed < $1.seed } }
            taskResults[task] = r
        }

        // Summary of verdicts.
        md.append("## Summary")
        md.append("")
        if tasks.isEmpty {
            md.append("No job has finished yet.")
        } else {
            md.append("| task | the paper | measured | verdict |")
            md.append("| --- | --- | --- | --- |")
            for task in tasks {
                for v in ReproducePaper.verdicts(taskResults[task]!) {
                    md.append("| \(Self.title(task)) | \(v.claim) | \(v.measured) | **\(v.verdictText)** |")
                }
            }
        }
        md.append("")

        // Budgets.
        md.append("## Budgets")
        md.append("")
        md.append("| task | network | seeds | sequence cap | time cap | evaluation |")
        md.append("| --- | --- | --- | ---: | ---: | --- |")
        for plan in grid.plans where tasks.contains(plan.task) {
            let evals = plan.evals.map { e in
                "\(e.lengths.map { "sizes \($0)" } ?? "the paper's sizes"), \(e.sequences) sequences, seed \(e.seed)"
            }.joined(separator: "; ")
            for network in ReproduceDefaults.networks {
                guard let b = plan.budgets[network] else { continue }
                let seeds = taskResults[plan.task]?.byNetwork[network]?.map { String($0.seed) }.joined(separator: ", ")
                md.append("| \(plan.task) | \(network) | \(seeds ?? "—") | \(grouped(b.sequences)) | "
                          + "\(clockTime(b.seconds)) | \(evals) |")
            }
        }
        md.append("")

        for task in tasks {
            let r = taskResults[task]!
            let networks = ReproduceDefaults.networks.filter { r.byNetwork[$0] != nil }
            md.append("## \(Self.title(task))")
            md.append("")
            md.append("The paper: " + (TaskKind(rawValue: task)?.presentation.paperSummary ?? ""))
            md.append("")

            // Learning curves.
            var chart = ReproduceChart(
                title: "\(task) · cost per sequence while training",
                groups: networks.map { n in
                    ReproduceChart.Group(name: n, seeds: r.results(n).map { job in
                        r.curve(job).map { (x: Double($0.sequences), y: $0.lossBits) }
                    })
                })
            if Self.measure(task) == .excessCost {
                let optimal = r.byNetwork.values.joined().filter(\.finished).flatMap { job in
                    r.curve(job).compactMap { row in row.optimalBits.map { (x: Double(row.sequences), y: $0) } }
                }.sorted { $0.x < $1.x }
                if !optimal.isEmpty { chart.reference = ("optimal estimator", optimal) }
            }
            let curveFile = "\(task)-curves.svg"
            try writeText(chart.svg(), to: images + "/" + curveFile)
            written.append(images + "/" + curveFile)
            md.append("![\(task): learning curves](\(imagesDirectoryName)/\(curveFile))")
            md.append("")
            md.append("Cost per sequence on the training sequences (each point a mean over a bin of sequences) "
                      + "against sequences seen: per network the median over seeds (line) and the min–max spread "
                      + "(band). A run's curve ends where it stopped (converged and polished, or at its cap).")
            md.append("")

            // Convergence and time.
            md.append("### Convergence and time")
            md.append("")
            md.append("| network | seeds | converged | sequences to converge: median (range) | sequences trained: "
                      + "median | training time: median (sum) | evaluation time (sum) |")
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for n in networks {
                let all = r.byNetwork[n]!
                let done = r.results(n)
                let conv = done.compactMap(\.convergedAt).map(Double.init)
                let convText = conv.isEmpty ? "—"
                    : "\(grouped(Int(median(conv)))) (\(grouped(Int(conv.min()!)))–\(grouped(Int(conv.max()!))))"
                let trained = done.map { Double($0.sequences) }
                let times = done.map(\.trainSeconds)
                md.append("| \(n) | \(all.count) | \(conv.count) of \(done.count)"
                          + "\(all.count > done.count ? " (\(all.count - done.count) failed)" : "") | \(convText) | "
                          + "\(trained.isEmpty ? "—" : grouped(Int(median(trained)))) | "
                          + "\(times.isEmpty ? "—" : "\(clockTime(median(times))) (\(clockTime(times.reduce(0, +))))") | "
                          + "\(clockTime(done.map(\.evalSeconds).reduce(0, +))) |")
            }
            md.append("")
            let failures = networks.flatMap { r.byNetwork[$0]!.filter { !$0.finished } }
            for f in failures { md.append("- \(f.network) seed \(f.seed) failed: \(f.error ?? "?")") }
            if !failures.isEmpty { md.append("") }

            // Generalisation.
            let evalNames = grid.plans.first { $0.task == task }?.evals ?? []
            for spec in evalNames {
                md += generalisationTables(r, networks: networks, spec: spec)
            }

            // Memory use.
            md.append("### Memory use")
            md.append("")
            md.append("One sequence from the training range, drawn by the model of each network's best seed "
                      + "(fewest bit errors on the paper's tests; for N-grams lowest cost): inputs, targets, outputs, "
                      + "the heads' write and read weightings over the memory locations, and the memory at the end "
                      + "(the plain LSTM has no memory). The run's own `sequence.svg`; `ntm show MODEL --length N` "
                      + "draws other sizes.")
            md.append("")
            for n in networks {
                let done = r.results(n)
                guard let best = done.min(by: { score($0) < score($1) }) else { continue }
                let source = output + "/runs/\(task)-\(n)-s\(best.seed)/sequence.svg"
                guard let data = FileManager.default.contents(atPath: source) else { continue }
                let file = "\(task)-\(n)-s\(best.seed)-sequence.svg"
                try writeText(String(decoding: data, as: UTF8.self), to: images + "/" + file)
                written.append(images + "/" + file)
                md.append("**\(n)**, seed \(best.seed):")
                md.append("")
                md.append("![\(task), \(n), seed \(best.seed)](\(imagesDirectoryName)/\(file))")
                md.append("")
            }

            // Against the paper.
            md.append("### Against the paper")
            md.append("")
            md.append("| claim | test | measured | verdict |")
            md.append("| --- | --- | --- | --- |")
            for v in ReproducePaper.verdicts(r) {
                md.append("| \(v.claim) | \(v.test) | \(v.measured) | **\(v.verdictText)** |")
            }
            md.append("")
        }

        // Wall times.
        md.append("## Wall time")
        md.append("")
        let train = finished.map(\.result.trainSeconds).reduce(0, +)
        let eval = finished.map(\.result.evalSeconds).reduce(0, +)
        md.append("Training \(clockTime(train)) and evaluation \(clockTime(eval)) summed over the finished jobs "
                  + "(one thread each), about \(clockTime((train + eval) / 2)) of wall time on two cores. Per job:")
        md.append("")
        md.append("| job | stopped | sequences | training | evaluation |")
        md.append("| --- | --- | ---: | ---: | ---: |")
        for job in jobs {
            let r = job.result
            md.append("| \(r.task) · \(r.network) · seed \(r.seed) | \(r.stop) | \(grouped(r.sequences)) | "
                      + "\(clockTime(r.trainSeconds)) | \(clockTime(r.evalSeconds)) |")
        }
        md.append("")
        if !unfinished.isEmpty {
            md.append("Not finished yet: " + unfinished.map(\.label).joined(separator: "; ") + ".")
            md.append("")
        }
        try writeText(md.joined(separator: "\n"), to: resultsPath)
        return written
    }

    /// A job's score for choosing its network's best seed (lower is better).
    func score(_ job: ReproduceJobResult) -> Double {
        guard let rows = job.evals.first?.rows else { return .infinity }
        if Self.measure(job.task) == .excessCost { return rows.reduce(0) { $0 + $1.lossBits } }
        return rows.reduce(0) { $0 + $1.bitErrors } + 1e-6 * rows.reduce(0) { $0 + $1.lossBits }
    }

    /// Median and per-seed tables of one evaluation.
    func generalisationTables(_ r: ReproduceTaskResults, networks: [String], spec: ReproduceEvalSpec) -> [String] {
        var md: [String] = []
        let sizes = networks.flatMap { r.results($0) }.first { $0.evals.contains { $0.name == spec.name } }?
            .evals.first { $0.name == spec.name }?.rows.map { ($0.size, $0.inTraining) } ?? []
        guard !sizes.isEmpty else { return [] }
        let ngrams = Self.measure(r.task) == .excessCost
        let what = spec.name == "paper" ? "the paper's test sizes" : "sizes \(spec.lengths ?? "")"
        md.append("### Generalisation: \(what)")
        md.append("")
        md.append("\(spec.sequences) fresh sequences per size (seed \(spec.seed)); sizes marked * lie beyond "
                  + "the training range. "
                  + (ngrams ? "Cells: cost in bits per sequence, and in parentheses its excess over the optimal "
                     + "Bayesian estimator on the same sequences."
                     : "Cells: bit errors per sequence, and in parentheses the cost in bits per sequence."))
        md.append("")
        func cell(_ rows: [ReproduceEvalRow]) -> String {
            guard !rows.isEmpty else { return "—" }
            if ngrams {
                return "\(fixed(median(rows.map(\.lossBits)), 2)) (\(fixed(median(rows.compactMap(\.excessBits)), 2)))"
            }
            return "\(fixed(median(rows.map(\.bitErrors)), 3)) (\(fixed(median(rows.map(\.lossBits)), 2)))"
        }
        let header = sizes.map { $0.0 + ($0.1 ? "" : "*") }
        md.append("Median over seeds:")
        md.append("")
        md.append("| network | " + header.joined(separator: " | ") + " |")
        md.append("| --- |" + String(repeating: " ---: |", count: sizes.count))
        if ngrams, let optimal = networks.flatMap({ r.results($0) }).compactMap({ $0.row(spec.name, sizes[0].0)?.optimalBits }).first {
            md.append("| optimal estimator | \(fixed(optimal, 2)) |")
        }
        for n in networks {
            let jobs = r.results(n)
            md.append("| \(n) | " + sizes.map { s in cell(jobs.compactMap { $0.row(spec.name, s.0) }) }
                .joined(separator: " | ") + " |")
        }
        md.append("")
        md.append("Per seed:")
        md.append("")
        md.append("| network | seed | converged at | " + header.joined(separator: " | ") + " |")
        md.append("| --- | ---: | ---: |" + String(repeating: " ---: |", count: sizes.count))
        for n in networks {
            for job in r.results(n) {
                md.append("| \(n) | \(job.seed) | \(job.convergedAt.map(grouped) ?? "not converged") | "
                          + sizes.map { s in cell(job.row(spec.name, s.0).map { [$0] } ?? []) }.joined(separator: " | ")
                          + " |")
            }
        }
        md.append("")
        return md
    }
}
