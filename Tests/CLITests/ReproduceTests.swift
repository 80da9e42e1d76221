import Foundation
import XCTest

@testable import ntm

/// `ntm reproduce --quick`: the machinery (jobs, markers, resume, report),
/// not the paper's numbers.
final class ReproduceTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ntm-reproduce-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func testQuickGridRunsResumesAndReports() throws {
        let out = scratch.appendingPathComponent("grid").path
        let fm = FileManager.default
        let select = ["--tasks", "copy,dynamic-ngrams", "--networks", "ntm-feedforward,lstm"]

        let seed2 = out + "/runs/copy-ntm-feedforward-s2"
        var run: Run
        // A directory holding something else is refused.
        try FileManager.default.createDirectory(atPath: scratch.appendingPathComponent("other").path,
                                                withIntermediateDirectories: true)
        XCTAssertTrue(fm.createFile(atPath: scratch.appendingPathComponent("other/x").path, contents: Data()))
        run = try Tool.run(["reproduce", "--quick", "--output", scratch.appendingPathComponent("other").path])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("holds no ntm reproduce grid"), run.stderr)

        // First run: seed 1 only.
        run = try Tool.run(["reproduce", "--quick", "--output", out, "--seeds", "1"] + select)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("4 jobs"), run.stdout)
        XCTAssertTrue(run.stdout.contains("estimate"), run.stdout)
        XCTAssertTrue(run.stdout.contains("[4/4]"), run.stdout)
        for name in ["copy-ntm-feedforward-s1", "copy-lstm-s1", "dynamic-ngrams-ntm-feedforward-s1",
                     "dynamic-ngrams-lstm-s1"] {
            let dir = out + "/runs/" + name
            XCTAssertTrue(fm.fileExists(atPath: dir + "/job.json"), name)
            XCTAssertTrue(fm.fileExists(atPath: dir + "/model.safetensors"), name)
            guard let job = ReproduceJobResult.load(directory: dir) else { XCTFail("bad job.json in \(name)"); continue }
            XCTAssertEqual(job.status, "finished")
            XCTAssertEqual(job.sequences, job.budget.sequences)
            XCTAssertFalse(job.evals.isEmpty)
            XCTAssertFalse(job.evals[0].rows.isEmpty)
        }
        let copyJob = ReproduceJobResult.load(directory: out + "/runs/copy-ntm-feedforward-s1")!
        // The finished-training marker has sorted keys, so the same run writes the same bytes.
        let marker = try String(contentsOfFile: out + "/runs/copy-ntm-feedforward-s1/train.json", encoding: .utf8)
        XCTAssertTrue(marker.hasPrefix("{\n  \"budget\" : {\n    \"seconds\" : "), marker)
        XCTAssertEqual(copyJob.evals.map(\.name), ["paper", "long"])
        XCTAssertEqual(copyJob.evals[1].rows.map(\.size), ["20", "30", "50", "80", "120"])
        XCTAssertNotNil(ReproduceJobResult.load(directory: out + "/runs/dynamic-ngrams-lstm-s1")?
            .evals[0].rows[0].optimalBits)

        // The report: sections, tables and images.
        let results = try String(contentsOfFile: out + "/RESULTS.md", encoding: .utf8)
        for heading in ["# Reproducing the paper's experiments", "## Summary", "## Budgets", "## Copy",
                        "## Dynamic N-grams", "### Convergence and time", "### Generalisation: the paper's test sizes",
                        "### Generalisation: sizes 20,30,50,80,120", "### Memory use", "### Against the paper",
                        "## Wall time", "Median over seeds:", "Per seed:"] {
            XCTAssertTrue(results.contains(heading), "RESULTS.md lacks \(heading)")
        }
        XCTAssertTrue(results.contains("| ntm-feedforward | 1 | not converged |"), results)
        XCTAssertTrue(results.contains("**not met**") || results.contains("**met**"))
        for image in ["copy-curves.svg", "dynamic-ngrams-curves.svg", "copy-ntm-feedforward-s1-sequence.svg"] {
            XCTAssertTrue(results.contains("(results/\(image))"), image)
            let check = SVGCheck.parse(URL(fileURLWithPath: out + "/results/" + image))
            XCTAssertGreaterThan(check?.elements ?? 0, 10, image)
        }
        let curves = try String(contentsOfFile: out + "/results/copy-curves.svg", encoding: .utf8)
        XCTAssertTrue(curves.contains("<polygon"), "no min–max band")
        XCTAssertTrue(curves.contains("ntm-feedforward (1 seed)"))

        // Same command again: every job is skipped, nothing is retrained.
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/runs/copy-lstm-s1/model.safetensors"))
        run = try Tool.run(["reproduce", "--quick", "--output", out, "--seeds", "1"] + select)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout.components(separatedBy: "skipped (finished before)").count - 1, 4, run.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/runs/copy-lstm-s1/model.safetensors")), before)

        // An unfinished job (a model without job.json) is continued with --resume.
        run = try Tool.run(["train", "--quiet", "--threads", "1", "--task", "copy", "--seed", "2",
                            "--sequences", "50", "--output", seed2])
        XCTAssertEqual(run.status, 0, run.stderr)
        run = try Tool.run(["reproduce", "--quick", "--output", out, "--seeds", "1,2", "--tasks", "copy",
                            "--networks", "ntm-feedforward"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("1 finished before: skipped"), run.stdout)
        let log = try String(contentsOfFile: seed2 + "/train.log", encoding: .utf8)
        XCTAssertTrue(log.contains("--resume"), log)
        let resumed = try XCTUnwrap(ReproduceJobResult.load(directory: seed2))
        XCTAssertEqual(resumed.sequences, resumed.budget.sequences)
        let curve = try String(contentsOfFile: seed2 + "/curve.csv", encoding: .utf8)
        XCTAssertTrue(curve.contains("\n50,"), "the first 50 sequences are kept")
        XCTAssertTrue(try String(contentsOfFile: out + "/RESULTS.md", encoding: .utf8)
            .contains("| ntm-feedforward | 2 |"))

        // The full grid's budgets differ: that directory is another grid.
        run = try Tool.run(["reproduce", "--output", out, "--dry-run"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("another reproduce grid"), run.stderr)
        XCTAssertTrue(run.stdout.isEmpty)
    }

    func testBadOptionsGiveOneLineErrors() throws {
        for (arguments, expected) in [(["--tasks", "nope"], "unknown task"), (["--networks", "gru"], "unknown network"),
                                      (["--seeds", "3-1"], "--seeds"), (["--jobs", "0"], "--jobs"),
                                      (["--time-cap", "-5"], "--time-cap")] {
            let run = try Tool.run(["reproduce", "--quick", "--output", scratch.path + "/x"] + arguments)
            XCTAssertEqual(run.status, 64, "\(arguments)")
            XCTAssertTrue(run.stderr.hasPrefix("ntm: ") && run.stderr.contains(expected), run.stderr)
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        }
    }

    func testPlanHelpers() {
        XCTAssertEqual(scheduledWallTime([4, 3, 3, 2], slots: 2), 6)
        XCTAssertEqual(scheduledWallTime([5], slots: 2, busy: [1, 3]), 6)
        XCTAssertEqual(median([3, 1, 2]), 2)
        XCTAssertEqual(median([4, 1, 2, 3]), 2.5)
        let jobs = reproduceJobs(plans: ReproduceDefaults.plans(quick: false), tasks: ReproduceDefaults.tasks,
                                 networks: ReproduceDefaults.networks, seeds: nil)
        XCTAssertEqual(jobs.count, 45)
        XCTAssertEqual(jobs.map(\.estimatedSeconds), jobs.map(\.estimatedSeconds).sorted(by: >))
        // The full grid fits in 3 hours on two workers even if every job uses its time cap.
        let worst = jobs.map { job in job.budget.seconds + job.estimatedSeconds
            - min(Double(job.budget.sequences) / ReproduceDefaults.speed(task: job.task, network: job.network),
                  job.budget.seconds) }
        XCTAssertLessThan(scheduledWallTime(worst, slots: 2), 3 * 3600)
        let rows = ReproduceJobRun.parseEvalCSV("size,steps,sequences,loss_bits,bit_errors,error_free,optimal_bits,in_training\n200,200,5,190.5,90,0,150.25,1\n")
        XCTAssertEqual(rows?.first?.excessBits ?? 0, 40.25, accuracy: 1e-9)
        XCTAssertNil(ReproduceJobRun.parseEvalCSV("nonsense"))
    }
}
