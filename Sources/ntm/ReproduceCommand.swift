import ArgumentParser
import Foundation
import NTM

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the paper's experiments: every task × network × seed, evaluated and reported.",
        discussion: """
        Runs each (task, network, seed) job as 'ntm train --quiet --threads 1' with the task's budget and the \
        command's own defaults otherwise, then 'ntm eval' at the paper's test sizes, --jobs at a time, longest \
        first. Each finished job leaves job.json in <output>/runs/<task>-<network>-s<seed>; running the same \
        command again skips finished jobs and resumes unfinished ones (Ctrl-C saves the running jobs). \
        Finally writes RESULTS.md: learning curves, convergence, times, generalisation tables, memory pictures \
        and a comparison with the paper's figures.

        The full grid (5 tasks × 3 networks × 3 seeds) is planned to take under 3 hours on 2 cores; \
        --quick runs tiny budgets in well under a minute to check the machinery.
        """)

    @Option(help: ArgumentHelp("Output directory. (default: runs/reproduce, or runs/reproduce-quick with --quick)",
                               valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp("The report to write. (default: <output>/RESULTS.md)", valueName: "file"))
    var results: String?

    @Option(parsing: .singleValue, help: ArgumentHelp("Tasks to run, comma-separated. (default: all five)",
                                                      valueName: "tasks"))
    var tasks: [String] = []

    @Option(parsing: .singleValue,
            help: ArgumentHelp("Networks to run, comma-separated: ntm-feedforward, ntm-lstm, lstm. (default: all three)",
                               valueName: "networks"))
    var networks: [String] = []

    @Option(help: ArgumentHelp("Seeds, e.g. 1,2,3 or 1-5. (default: 1-3; --quick: 1)", valueName: "seeds"))
    var seeds: String?

    @Option(help: "Jobs to run at a time. (default: \(availableCores), the core count)")
    var jobs: Int?

    @Flag(help: "Tiny budgets (about a second of training per job, a few evaluation sequences): checks the machinery.")
    var quick = false

    @Option(name: .customLong("time-cap"),
            help: ArgumentHelp("Cap every job's training at this many seconds (a smaller grid than the default; its results go in another --output).", valueName: "seconds"))
    var timeCap: Double?

    @Flag(name: .customLong("dry-run"), help: "Print the plan and stop.")
    var dryRun = false

    @Flag(name: .customLong("report-only"), help: "Only write the report from the jobs already finished.")
    var reportOnly = false

    func validate() throws {
        _ = try selectedTasks()
        _ = try selectedNetworks()
        _ = try selectedSeeds()
        if let jobs, jobs < 1 || jobs > 64 { throw ValidationError("--jobs must be from 1 to 64") }
        if output?.isEmpty == true { throw ValidationError("--output must not be empty") }
        if results?.isEmpty == true { throw ValidationError("--results must not be empty") }
        if let timeCap, !(timeCap >= 1 && timeCap <= 86_400) {
            throw ValidationError("--time-cap must be from 1 to 86400 seconds")
        }
        if dryRun && reportOnly { throw ValidationError("--dry-run and --report-only exclude each other") }
    }

    static func list(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    func selectedTasks() throws -> [String] {
        let given = Self.list(tasks)
        for t in given where !ReproduceDefaults.tasks.contains(t) {
            throw ValidationError("--tasks: unknown task '\(t)'; choose from \(ReproduceDefaults.tasks.joined(separator: ", "))")
        }
        if !tasks.isEmpty && given.isEmpty { throw ValidationError("--tasks: no task given") }
        return given.isEmpty ? ReproduceDefaults.tasks : ReproduceDefaults.tasks.filter(given.contains)
    }

    func selectedNetworks() throws -> [String] {
        let given = Self.list(networks)
        for n in given where !ReproduceDefaults.networks.contains(n) {
            throw ValidationError("--networks: unknown network '\(n)'; choose from "
                                  + ReproduceDefaults.networks.joined(separator: ", "))
        }
        if !networks.isEmpty && given.isEmpty { throw ValidationError("--networks: no network given") }
        return given.isEmpty ? ReproduceDefaults.networks : ReproduceDefaults.networks.filter(given.contains)
    }

    /// nil: each task's default seeds.
    func selectedSeeds() throws -> [UInt64]? {
        guard let seeds else { return nil }
        var out: [UInt64] = []
        let bad = ValidationError("--seeds expects seeds such as 1,2,3 or 1-5 (got '\(seeds)')")
        for part in Self.list([seeds]) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 1 || ends.count == 2,
                  let low = UInt64(ends[0].trimmingCharacters(in: .whitespaces)),
                  let high = UInt64(ends.last!.trimmingCharacters(in: .whitespaces)), low <= high,
                  high - low < 1000 else { throw bad }
            for s in low...high where !out.contains(s) { out.append(s) }
        }
        guard !out.isEmpty, out.count <= 1000 else { throw bad }
        return out
    }

    /// This executable, to run the jobs with.
    static func executablePath() -> String {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &buffer, 4096)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        #endif
        if let path = Bundle.main.executablePath { return path }
        return CommandLine.arguments[0]
    }

    func run() throws {
        let mode = quick ? "quick" : "full"
        var plans = ReproduceDefaults.plans(quick: quick)
        if let timeCap {
            for i in plans.indices {
                for key in plans[i].budgets.keys {
                    plans[i].budgets[key]!.seconds = min(plans[i].budgets[key]!.seconds, timeCap)
                }
            }
        }
        let grid = ReproduceGrid(mode: mode, plans: plans)
        let output = self.output ?? (quick ? "runs/reproduce-quick" : "runs/reproduce")
        let resultsPath = results ?? output + "/RESULTS.md"
        let fm = FileManager.default

        // The output directory must be new, empty, or hold this same grid.
        let gridPath = output + "/" + ReproduceGrid.fileName
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: output, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CLIError("--output '\(output)' is a file, not a directory") }
            if let data = fm.contents(atPath: gridPath) {
                guard let existing = try? JSONDecoder().decode(ReproduceGrid.self, from: data) else {
                    throw CLIError("'\(gridPath)' is damaged; use another --output")
                }
                if existing != grid {
                    let why = existing.mode != grid.mode
                        ? "it was run \(existing.mode == "quick" ? "with" : "without") --quick"
                        : "its budgets differ: another --time-cap, or another version of ntm"
                    throw CLIError("'\(output)' holds another reproduce grid (\(why)); use another --output, "
                                   + (existing.mode != grid.mode ? "or the same mode" : "or delete it"))
                }
            } else if !((try? fm.contentsOfDirectory(atPath: output)) ?? []).isEmpty {
                throw CLIError("'\(output)' is not empty and holds no ntm reproduce grid (\(ReproduceGrid.fileName)); "
                               + "use another --output")
            }
        }

        let allJobs = reproduceJobs(plans: grid.plans, tasks: try selectedTasks(), networks: try selectedNetworks(),
                                    seeds: try selectedSeeds())
        let slots = jobs ?? availableCores
        let runs = output + "/runs"
        let finishedBefore = Set(allJobs.filter {
            ReproduceJobResult.load(directory: runs + "/" + $0.name) != nil
        }.map(\.name))

        if reportOnly {
            guard fm.fileExists(atPath: gridPath) else { throw CLIError("'\(output)' holds no reproduce grid to report on") }
            let report = ReproduceReport(grid: grid, output: output, resultsPath: resultsPath,
                                         unfinished: allJobs.filter { !finishedBefore.contains($0.name) })
            try report.write()
            say("wrote \(resultsPath)")
            return
        }

        printPlan(grid: grid, jobs: allJobs, finished: finishedBefore, slots: slots, output: output)
        if dryRun { return }

        do {
            try fm.createDirectory(atPath: runs, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create '\(runs)': \((error as NSError).localizedDescription)")
        }
        if !fm.fileExists(atPath: gridPath) {
            try writeJSON(grid, named: ReproduceGrid.fileName, in: output)
        }

        let start = now()
        let scheduler = ReproduceScheduler(jobs: allJobs, slots: slots, runsDirectory: runs,
                                           binary: Self.executablePath())
        scheduler.run()
        let unfinished = allJobs.filter { ReproduceJobResult.load(directory: runs + "/" + $0.name) == nil }
        let report = ReproduceReport(grid: grid, output: output, resultsPath: resultsPath, unfinished: unfinished)
        let images = try report.write()
        let failed = scheduler.outcomes.values.filter { if case .failed = $0 { return true } else { return false } }
        say("")
        say("\(allJobs.count - unfinished.count) of \(allJobs.count) jobs finished"
            + (failed.isEmpty ? "" : " (\(failed.count) failed: see RESULTS.md)") + " · \(clockTime(now() - start))")
        say("wrote \(resultsPath) and \(images.count) image\(images.count == 1 ? "" : "s") in "
            + "\(report.resultsDirectory)/\(report.imagesDirectoryName)/")
        for error in scheduler.errors { warn(error) }
        if scheduler.interrupted {
            say("interrupted: run the same command again to continue the \(unfinished.count) unfinished job"
                + (unfinished.count == 1 ? "" : "s"))
            throw ExitCode(130)
        }
        if !scheduler.errors.isEmpty {
            throw CLIError("\(scheduler.errors.count) job\(scheduler.errors.count == 1 ? "" : "s") could not run "
                           + "(see above); run the same command again to retry")
        }
    }

    func printPlan(grid: ReproduceGrid, jobs: [ReproduceJob], finished: Set<String>, slots: Int, output: String) {
        let tasks = Set(jobs.map(\.task)), networks = Set(jobs.map(\.network)), seeds = Set(jobs.map(\.seed))
        say("ntm reproduce\(quick ? " --quick" : ""): \(jobs.count) jobs (\(tasks.count) task\(tasks.count == 1 ? "" : "s") "
            + "× \(networks.count) network\(networks.count == 1 ? "" : "s") × \(seeds.count) seed"
            + "\(seeds.count == 1 ? "" : "s")), \(slots) at a time, into \(output)/")
        var cells = [["task", "network", "seeds", "sequences", "time cap", "seq/s", "per job"]]
        var seen = Set<String>()
        for plan in grid.plans {
            for network in ReproduceDefaults.networks {
                let group = jobs.filter { $0.task == plan.task && $0.network == network }
                guard let first = group.first, !seen.contains(plan.task + network) else { continue }
                seen.insert(plan.task + network)
                cells.append([plan.task, network, group.map { String($0.seed) }.sorted().joined(separator: ","),
                              grouped(first.budget.sequences), clockTime(first.budget.seconds),
                              fixed(ReproduceDefaults.speed(task: plan.task, network: network), 0),
                              clockTime(first.estimatedSeconds)])
            }
        }
        say(table(cells, rightAligned: [3, 4, 5, 6]).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        let todo = jobs.filter { !finished.contains($0.name) }
        let work = todo.reduce(0) { $0 + $1.estimatedSeconds }
        if !finished.isEmpty { say("  \(finished.count) finished before: skipped") }
        say("  estimate: \(clockTime(work)) of work, \(clockTime(scheduledWallTime(todo.map(\.estimatedSeconds), slots: slots))) "
            + "on \(slots) worker\(slots == 1 ? "" : "s") if every job uses its sequence cap (runs that converge "
            + "stop sooner); evaluation included")
        say("")
    }
}
