import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

@testable import ntm
import NTM

/// The result of running the `ntm` binary.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the tool as a user would: the built `ntm` binary, in a child process.
enum Tool {
    /// The `ntm` executable: $NTM_BINARY if set, else next to the test
    /// bundle (SwiftPM puts both in the build directory).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["NTM_BINARY"] { return URL(fileURLWithPath: path) }
        var candidates: [URL] = []
        let bundle = Bundle(for: CLITests.self).bundleURL
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("ntm"))
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("ntm"))
        // macOS: …/ntmPackageTests.xctest/Contents/MacOS/ntmPackageTests
        candidates.append(bundle.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("ntm"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    @discardableResult
    static func run(_ arguments: [String], directory: URL? = nil, interruptAfter: Double? = nil) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        if let delay = interruptAfter {
            Thread.sleep(forTimeInterval: delay)
            process.interrupt()
        }
        // Read before waiting, so a full pipe cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Collects the text of an SVG's <title> and fails on XML errors.
final class SVGCheck: NSObject, XMLParserDelegate {
    var rootName: String?
    var title = ""
    private var inTitle = false
    var elements = 0

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        if rootName == nil { rootName = name }
        elements += 1
        if name == "title" && title.isEmpty { inTitle = true }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" { inTitle = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { title += string }
    }

    /// Parses the file; returns the checker, or fails the test.
    static func parse(_ url: URL, file: StaticString = #filePath, line: UInt = #line) -> SVGCheck? {
        guard let data = try? Data(contentsOf: url) else {
            XCTFail("cannot read \(url.path)", file: file, line: line)
            return nil
        }
        let parser = XMLParser(data: data)
        let check = SVGCheck()
        parser.delegate = check
        guard parser.parse() else {
            XCTFail("\(url.lastPathComponent) is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")",
                    file: file, line: line)
            return nil
        }
        XCTAssertEqual(check.rootName, "svg", file: file, line: line)
        return check
    }
}

final class CLITests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ntm-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Tool.binary.path),
                      "the ntm binary is not at \(Tool.binary.path); build it or set NTM_BINARY")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// A failure: non-zero status, nothing on stdout, exactly one line on
    /// stderr starting "ntm: ", mentioning `expected`, and no trace.
    func assertOneLineError(_ arguments: [String], mentions expected: String? = nil,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try Tool.run(arguments, directory: scratch)
        let shown = "ntm \(arguments.joined(separator: " "))"
        XCTAssertNotEqual(run.status, 0, "\(shown) should fail", file: file, line: line)
        XCTAssertEqual(run.stdout, "", "\(shown): nothing on stdout", file: file, line: line)
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 2, "\(shown): one line on stderr, got: \(run.stderr)", file: file, line: line)
        XCTAssertTrue(run.stderr.hasPrefix("ntm: "), "\(shown): \(run.stderr)", file: file, line: line)
        XCTAssertTrue(run.stderr.hasSuffix("\n"), file: file, line: line)
        XCTAssertFalse(run.stderr.contains("Fatal error") || run.stderr.contains("Stack dump"),
                       "\(shown) trapped: \(run.stderr)", file: file, line: line)
        if let expected {
            XCTAssertTrue(run.stderr.localizedCaseInsensitiveContains(expected),
                          "\(shown): expected the message to mention '\(expected)', got: \(run.stderr)",
                          file: file, line: line)
        }
    }

    /// A tiny trained model (a few sequences), shared by several tests.
    func trainTiny(task: String = "copy", extra: [String] = [], into name: String = "run") throws -> URL {
        let dir = scratch.appendingPathComponent(name)
        let run = try Tool.run(["train", "--task", task, "--sequences", "12", "--output", dir.path,
                                "--log-every", "4", "--threads", "1"] + extra, directory: scratch)
        XCTAssertEqual(run.status, 0, "train failed: \(run.stderr)")
        return dir
    }

    // MARK: - Errors

    func testHelpSucceeds() throws {
        let bare = try Tool.run([])
        XCTAssertEqual(bare.status, 0, "no arguments: the overview")
        XCTAssertTrue(bare.stdout.contains("USAGE"))
        let run = try Tool.run(["--help"])
        XCTAssertEqual(run.status, 0)
        for word in ["train", "eval", "show"] { XCTAssertTrue(run.stdout.contains(word)) }
        let train = try Tool.run(["train", "--help"])
        XCTAssertEqual(train.status, 0)
        XCTAssertTrue(train.stdout.contains("--resume"))
    }

    func testBadFlagsGiveOneLineErrors() throws {
        try assertOneLineError(["bogus"])
        try assertOneLineError(["train", "--bogus"], mentions: "--bogus")
        try assertOneLineError(["train", "--task", "nope"], mentions: "nope")
        try assertOneLineError(["train", "--network", "gru"], mentions: "gru")
        try assertOneLineError(["train", "--sequences", "0"], mentions: "--sequences")
        try assertOneLineError(["train", "--sequences", "many"], mentions: "many")
        try assertOneLineError(["train", "--time", "-3"], mentions: "--time")
        try assertOneLineError(["train", "--lr", "0"], mentions: "--lr")
        try assertOneLineError(["train", "--batch-size", "0"], mentions: "--batch-size")
        try assertOneLineError(["train", "--threads", "0"], mentions: "--threads")
        try assertOneLineError(["train", "--optimizer", "sgd"], mentions: "sgd")
        try assertOneLineError(["train", "--task-option", "max_length"], mentions: "KEY=")
        try assertOneLineError(["train", "--task-option", "colour=3", "--sequences", "1",
                                "--output", scratch.appendingPathComponent("x").path], mentions: "colour")
        try assertOneLineError(["train", "--task-option", "min_length=30", "--sequences", "1",
                                "--output", scratch.appendingPathComponent("y").path], mentions: "min_length")
        try assertOneLineError(["eval"], mentions: "model")
        try assertOneLineError(["show"], mentions: "model")
        try assertOneLineError(["eval", "m.safetensors", "--sequences", "0"], mentions: "--sequences")
        try assertOneLineError(["eval", "m.safetensors", "--lengths", "ten"], mentions: "ten")
        try assertOneLineError(["show", "m.safetensors", "--length", "0"], mentions: "0")
    }

    func testMissingAndCorruptModelFiles() throws {
        let missing = scratch.appendingPathComponent("missing.safetensors").path
        try assertOneLineError(["eval", missing], mentions: "missing.safetensors")
        try assertOneLineError(["show", missing], mentions: "missing.safetensors")
        try assertOneLineError(["eval", scratch.path])   // a directory

        let garbage = scratch.appendingPathComponent("garbage.safetensors")
        try Data("this is not a model".utf8).write(to: garbage)
        try assertOneLineError(["eval", garbage.path], mentions: "garbage.safetensors")
        try assertOneLineError(["show", garbage.path], mentions: "garbage.safetensors")

        let empty = scratch.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        try assertOneLineError(["eval", empty.path])

        // A real model, truncated and with a flipped data byte.
        let dir = try trainTiny()
        let good = try Data(contentsOf: dir.appendingPathComponent("model.safetensors"))
        let truncated = scratch.appendingPathComponent("truncated.safetensors")
        try good.prefix(good.count / 2).write(to: truncated)
        try assertOneLineError(["eval", truncated.path])
        try assertOneLineError(["show", truncated.path])
        var flipped = good
        flipped[flipped.count - 100] ^= 0x5A
        let corrupt = scratch.appendingPathComponent("corrupt.safetensors")
        try flipped.write(to: corrupt)
        try assertOneLineError(["eval", corrupt.path], mentions: "corrupt")
        try assertOneLineError(["show", corrupt.path], mentions: "corrupt")

        // Resuming where there is nothing, or training over a run.
        try assertOneLineError(["train", "--resume", "--output", scratch.appendingPathComponent("none").path],
                               mentions: "resume")
        try assertOneLineError(["train", "--sequences", "1", "--output", dir.path], mentions: "--resume")
        try assertOneLineError(["train", "--resume", "--task", "repeat-copy", "--output", dir.path],
                               mentions: "copy")
        // Sizes that do not fit the task.
        try assertOneLineError(["eval", dir.appendingPathComponent("model.safetensors").path, "--lengths", "10x3"],
                               mentions: "10x3")
        // An output that cannot be written.
        try assertOneLineError(["show", dir.appendingPathComponent("model.safetensors").path,
                                "--output", scratch.appendingPathComponent("no/such/dir/x.svg").path])
    }

    // MARK: - Train, eval, show

    func testTrainWritesModelCurveAndPictures() throws {
        let dir = scratch.appendingPathComponent("copy")
        let run = try Tool.run(["train", "--task", "copy", "--sequences", "30", "--batch-size", "2",
                                "--output", dir.path, "--log-every", "10"], directory: scratch)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(run.stdout.contains("training ntm-feedforward on copy"), run.stdout)
        XCTAssertTrue(run.stdout.contains("stopped after 30 sequences"), run.stdout)
        XCTAssertFalse(run.stdout.contains("\r"), "no in-place redraws when stdout is not a terminal")

        for name in ["model.safetensors", "curve.csv", "curve.svg", "sequence.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), name)
        }
        let csv = try String(contentsOf: dir.appendingPathComponent("curve.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.first, "sequences,loss_bits,bit_errors,seconds")
        XCTAssertEqual(lines.count, 4, csv)
        XCTAssertEqual(lines.last?.split(separator: ",").first, "30")
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",").compactMap { Double($0) }
            XCTAssertEqual(fields.count, 4, String(line))
            XCTAssertTrue(fields.allSatisfy { $0.isFinite && $0 >= 0 }, String(line))
        }

        let curve = SVGCheck.parse(dir.appendingPathComponent("curve.svg"))
        XCTAssertTrue(curve?.title.contains("copy") ?? false)
        let picture = SVGCheck.parse(dir.appendingPathComponent("sequence.svg"))
        XCTAssertTrue(picture?.title.contains("copy") ?? false)
        XCTAssertTrue(picture?.title.contains("length 10") ?? false, picture?.title ?? "")

        // The model loads, with its trainer state and task.
        let model = try ModelFile.load(dir.appendingPathComponent("model.safetensors").path)
        XCTAssertEqual(model.taskKind, .copy)
        XCTAssertEqual(model.networkDescription, "ntm-feedforward")
        XCTAssertEqual(model.trainerState?.sequencesSeen, 30)
        XCTAssertEqual(model.trainerState?.optimizer.kind, .adam)

        // Resume to 50 sequences in all: the curve continues.
        let resumed = try Tool.run(["train", "--resume", "--sequences", "50", "--output", dir.path,
                                    "--log-every", "10"], directory: scratch)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming at 30 sequences"), resumed.stdout)
        let csv2 = try String(contentsOf: dir.appendingPathComponent("curve.csv"), encoding: .utf8)
        XCTAssertEqual(csv2.split(separator: "\n").count, 6, csv2)
        XCTAssertEqual(try ModelFile.load(dir.appendingPathComponent("model.safetensors").path)
            .trainerState?.sequencesSeen, 50)
    }

    func testResumedTrainingMatchesAnUninterruptedRun() throws {
        let a = scratch.appendingPathComponent("a"), b = scratch.appendingPathComponent("b")
        let common = ["--task", "copy", "--task-option", "max_length=4", "--log-every", "5"]
        XCTAssertEqual(try Tool.run(["train", "--sequences", "20", "--output", a.path] + common).status, 0)
        XCTAssertEqual(try Tool.run(["train", "--sequences", "8", "--output", b.path] + common).status, 0)
        XCTAssertEqual(try Tool.run(["train", "--resume", "--sequences", "20", "--output", b.path]).status, 0)
        let wa = try ModelFile.load(a.appendingPathComponent("model.safetensors").path).network.parameterValues
        let wb = try ModelFile.load(b.appendingPathComponent("model.safetensors").path).network.parameterValues
        XCTAssertEqual(wa, wb, "resuming must give the same weights as training straight through")
    }

    /// The polish phase: once the training window first meets the criterion
    /// the rate drops to lr × factor for --polish sequences, the file records
    /// where, and a run cut short in the polish resumes at the lower rate.
    /// A lenient criterion (threshold 1000 over a 10-sequence window) makes
    /// the window converge at exactly 10 sequences.
    func testPolishLowersTheRateAndSurvivesResume() throws {
        let a = scratch.appendingPathComponent("a"), b = scratch.appendingPathComponent("b")
        let common = ["--task", "copy", "--task-option", "max_length=3", "--window", "10", "--threshold", "1000",
                      "--holdout-sequences", "5", "--polish", "20", "--polish-lr-factor", "0.1", "--log-every", "5",
                      "--threads", "1"]
        let whole = try Tool.run(["train", "--output", a.path] + common, directory: scratch)
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertTrue(whole.stdout.contains("met the criterion at 10 sequences; polishing at lr 0.0001 until 30"),
                      whole.stdout)
        XCTAssertTrue(whole.stdout.contains("converged after 30 sequences, polished at lr 0.0001 from 10"),
                      whole.stdout)
        let fileA = try ModelFile.load(a.appendingPathComponent("model.safetensors").path)
        XCTAssertEqual(fileA.polishFrom, 10)
        XCTAssertEqual(fileA.trainerState?.sequencesSeen, 30)
        XCTAssertEqual(Double(fileA.trainerState?.optimizer.learningRate ?? 0), 1e-4, accuracy: 1e-9)

        // Stopped by a budget in the middle of the polish, then resumed.
        let part = try Tool.run(["train", "--output", b.path, "--sequences", "17"] + common, directory: scratch)
        XCTAssertEqual(part.status, 0, part.stderr)
        XCTAssertEqual(try ModelFile.load(b.appendingPathComponent("model.safetensors").path).polishFrom, 10)
        let rest = try Tool.run(["train", "--resume", "--output", b.path, "--polish", "20", "--window", "10",
                                 "--threshold", "1000", "--holdout-sequences", "5", "--threads", "1"],
                                directory: scratch)
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertTrue(rest.stdout.contains("converged after 30 sequences"), rest.stdout)
        let fileB = try ModelFile.load(b.appendingPathComponent("model.safetensors").path)
        XCTAssertEqual(fileB.network.parameterValues, fileA.network.parameterValues,
                       "a polish resumed mid-way must continue at the lower rate, bit for bit")

        // --polish 0 stops at convergence, at the full rate.
        let c = scratch.appendingPathComponent("c")
        var noPolish = common
        noPolish[noPolish.firstIndex(of: "--polish")! + 1] = "0"
        let plain = try Tool.run(["train", "--output", c.path] + noPolish, directory: scratch)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stdout.contains("converged after 10 sequences"), plain.stdout)
        let fileC = try ModelFile.load(c.appendingPathComponent("model.safetensors").path)
        XCTAssertNil(fileC.polishFrom)
        XCTAssertEqual(Double(fileC.trainerState?.optimizer.learningRate ?? 0), 1e-3, accuracy: 1e-9)
    }

    /// The optimiser defaults are per task: associative recall trains with
    /// the paper's RMSProp at 1e-4 (Adam at 1e-3 stays at chance there; with
    /// --optimizer adam its rate is 1e-4), copy with Adam at 1e-3
    /// (docs/experiments/associative-recall.md). An explicit --lr still wins.
    /// The default run, pinned by a checksum of its parameters after 3,000
    /// sequences, with one and with two threads. README.md, docs/CLI.md and
    /// docs/PERFORMANCE.md quote exact runs of it (154,042 sequences, the
    /// seed tables); if this fails after a change to the kernels, the
    /// recipe or the data, those runs changed too: measure them again and
    /// update the docs and this checksum together.
    func testDefaultRunIsPinned() throws {
        for threads in ["1", "2"] {
            let dir = scratch.appendingPathComponent("pinned-\(threads)")
            let run = try Tool.run(["train", "--sequences", "3000", "--threads", threads, "--quiet",
                                    "--output", dir.path], directory: scratch)
            XCTAssertEqual(run.status, 0, run.stderr)
            let network = try ModelFile.load(dir.appendingPathComponent("model.safetensors").path).network
            let checksum = network.parameterValues.map(\.bitPattern).withUnsafeBytes { crc32c($0) }
            XCTAssertEqual(String(checksum, radix: 16), "425d2682", "threads \(threads)")
        }
    }

    /// A reader that has gone before the first line (`ntm train | true`)
    /// must not end the run: writes to the closed pipe fail quietly and the
    /// run trains and saves as usual.
    func testRunSurvivesAClosedPipe() throws {
        let dir = scratch.appendingPathComponent("closed-pipe")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "'\(Tool.binary.path)' train --sequences 200 --threads 1 --output '\(dir.path)' | true"]
        shell.currentDirectoryURL = scratch
        try shell.run()
        shell.waitUntilExit()
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path),
                      "no model saved: the closed pipe ended the run")
    }

    func testInitialMemoryOption() throws {
        func model(_ extra: [String], _ name: String) throws -> Network<Float> {
            let dir = scratch.appendingPathComponent(name)
            let run = try Tool.run(["train", "--output", dir.path, "--sequences", "1", "--threads", "1",
                                    "--quiet"] + extra, directory: scratch)
            XCTAssertEqual(run.status, 0, run.stderr)
            return try ModelFile.load(dir.appendingPathComponent("model.safetensors").path).network
        }
        let constant = try model([], "memory-default")
        XCTAssertEqual(constant.config.initialMemory, .constant)
        XCTAssertNil(constant.layout.tensor(named: "memory0"))
        let learned = try model(["--initial-memory", "learned"], "memory-learned")
        XCTAssertEqual(learned.config.initialMemory, .learned)
        XCTAssertNotNil(learned.layout.tensor(named: "memory0"))
        // The LSTM baseline has no memory: the option does not apply.
        XCTAssertEqual(try model(["--network", "lstm", "--initial-memory", "learned"], "memory-lstm").config.kind, .lstm)
        try assertOneLineError(["train", "--resume", "--initial-memory", "random", "--output",
                                scratch.appendingPathComponent("memory-learned").path], mentions: "--initial-memory")
    }

    func testOptimizerDefaultsArePerTask() throws {
        func optimizer(_ extra: [String], _ name: String) throws -> (kind: String, rate: Double) {
            let dir = scratch.appendingPathComponent(name)
            let run = try Tool.run(["train", "--output", dir.path, "--sequences", "1", "--threads", "1",
                                    "--quiet"] + extra, directory: scratch)
            XCTAssertEqual(run.status, 0, run.stderr)
            let file = try ModelFile.load(dir.appendingPathComponent("model.safetensors").path)
            let config = try XCTUnwrap(file.trainerState?.optimizer)
            return (config.kind.rawValue, Double(config.learningRate))
        }
        let recall = try optimizer(["--task", "associative-recall"], "recall")
        XCTAssertEqual(recall.kind, "rmsprop")
        XCTAssertEqual(recall.rate, 1e-4, accuracy: 1e-12)
        let recallAdam = try optimizer(["--task", "associative-recall", "--optimizer", "adam"], "recall-adam")
        XCTAssertEqual(recallAdam.kind, "adam")
        XCTAssertEqual(recallAdam.rate, 1e-4, accuracy: 1e-12)
        let copy = try optimizer(["--task", "copy"], "copy")
        XCTAssertEqual(copy.kind, "adam")
        XCTAssertEqual(copy.rate, 1e-3, accuracy: 1e-12)
        let explicit = try optimizer(["--task", "associative-recall", "--optimizer", "adam", "--lr", "1e-3"],
                                     "recall-lr")
        XCTAssertEqual(explicit.rate, 1e-3, accuracy: 1e-12)
        let sort = try optimizer(["--task", "priority-sort"], "sort")
        XCTAssertEqual(sort.kind, "rmsprop")
        XCTAssertEqual(sort.rate, 3e-5, accuracy: 1e-12)
        let sortAdam = try optimizer(["--task", "priority-sort", "--optimizer", "adam"], "sort-adam")
        XCTAssertEqual(sortAdam.kind, "adam")
        XCTAssertEqual(sortAdam.rate, 1e-3, accuracy: 1e-12)
        let sortLSTM = try optimizer(["--task", "priority-sort", "--network", "lstm"], "sort-lstm")
        XCTAssertEqual(sortLSTM.kind, "adam")
        XCTAssertEqual(sortLSTM.rate, 1e-3, accuracy: 1e-12)
    }

    func testEvalPrintsTheGeneralisationTable() throws {
        let dir = try trainTiny()
        let model = dir.appendingPathComponent("model.safetensors").path
        let run = try Tool.run(["eval", model, "--sequences", "3"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        guard let header = lines.firstIndex(where: { $0.hasPrefix("length") }) else {
            return XCTFail("no table header in:\n\(run.stdout)")
        }
        XCTAssertTrue(lines[header].contains("cost (bits/seq)"))
        XCTAssertTrue(lines[header].contains("bit errors/seq"))
        let body = lines[(header + 1)...]
        XCTAssertEqual(body.map { $0.split(separator: " ").first.map(String.init) ?? "" },
                       ["10", "20", "30", "50", "120"])
        // Aligned: every row's cost column ends where the header's does.
        let costEnd = lines[header].range(of: "cost (bits/seq)")!.upperBound.utf16Offset(in: lines[header])
        for row in body {
            let cells = row.split(separator: " ", omittingEmptySubsequences: true)
            XCTAssertGreaterThanOrEqual(cells.count, 5, row)
            let cost = row.range(of: String(cells[2]))!.upperBound.utf16Offset(in: row)
            XCTAssertEqual(cost, costEnd, "misaligned row: \(row)")
        }
        XCTAssertTrue(body.first!.hasSuffix("within"), body.first!)
        XCTAssertTrue(body.last!.hasSuffix("beyond"), body.last!)

        let custom = try Tool.run(["eval", model, "--lengths", "3,7", "--sequences", "2", "--seed", "5"])
        XCTAssertEqual(custom.status, 0, custom.stderr)
        XCTAssertTrue(custom.stdout.contains("\n     3 "), custom.stdout)
        // The same seed gives the same table; thread count does not matter.
        let again = try Tool.run(["eval", model, "--lengths", "3,7", "--sequences", "2", "--seed", "5",
                                  "--threads", "1"])
        XCTAssertEqual(custom.stdout, again.stdout)
    }

    func testEvalOtherTasks() throws {
        let recall = try trainTiny(task: "associative-recall", into: "recall")
        let r = try Tool.run(["eval", recall.appendingPathComponent("model.safetensors").path,
                              "--sequences", "2", "--lengths", "3,12"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("items"), r.stdout)

        let repeatCopy = try trainTiny(task: "repeat-copy", extra: ["--network", "ntm-lstm"], into: "repeat")
        let rc = try Tool.run(["eval", repeatCopy.appendingPathComponent("model.safetensors").path,
                               "--sequences", "2", "--lengths", "3x2,4x12"])
        XCTAssertEqual(rc.status, 0, rc.stderr)
        XCTAssertTrue(rc.stdout.contains("3x2") && rc.stdout.contains("4x12"), rc.stdout)
        // The end marker is read apart: data errors plus marker errors are all the errors.
        XCTAssertTrue(rc.stdout.contains("marker right") && !r.stdout.contains("marker"), rc.stdout)
        let rows = rc.stdout.split(separator: "\n").filter { $0.drop { $0 == " " }.first?.isNumber == true }
        XCTAssertEqual(rows.count, 2, rc.stdout)
        for line in rows {
            let f = line.split(separator: " ").map(String.init)
            guard f.count == 9, let all = Double(f[3]), let data = Double(f[5]),
                  let right = Int(f[6].split(separator: "/")[0]) else { XCTFail(line.description); continue }
            XCTAssertLessThanOrEqual(data, all)
            XCTAssertEqual(right == 2, all - data < 1e-9, line.description)
        }

        let ngrams = try trainTiny(task: "dynamic-ngrams", extra: ["--network", "lstm", "--task-option", "length=40"],
                                   into: "ngrams")
        let ng = try Tool.run(["eval", ngrams.appendingPathComponent("model.safetensors").path, "--sequences", "3"])
        XCTAssertEqual(ng.status, 0, ng.stderr)
        XCTAssertTrue(ng.stdout.contains("optimal (bits/seq)"), ng.stdout)
        let csv = try String(contentsOf: ngrams.appendingPathComponent("curve.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("sequences,loss_bits,bit_errors,seconds,optimal_bits\n"), csv)
        let show = try Tool.run(["show", ngrams.appendingPathComponent("model.safetensors").path])
        XCTAssertEqual(show.status, 0, show.stderr)
    }

    func testShowWritesAPictureNamingTheTask() throws {
        let dir = try trainTiny()
        let model = dir.appendingPathComponent("model.safetensors").path
        let out = scratch.appendingPathComponent("picture.svg")
        let run = try Tool.run(["show", model, "--length", "7", "--seed", "3", "--output", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(out.path), run.stdout)
        let check = SVGCheck.parse(out)
        XCTAssertTrue(check?.title.hasPrefix("copy") ?? false, check?.title ?? "")
        XCTAssertTrue(check?.title.contains("length 7") ?? false, check?.title ?? "")
        XCTAssertTrue(check?.title.contains("bit error") ?? false, check?.title ?? "")
        let svg = try String(contentsOf: out, encoding: .utf8)
        for panel in ["Inputs", "Targets", "Outputs", "Write head 1 weighting", "Read head 1 weighting",
                      "Memory at the end"] {
            XCTAssertTrue(svg.contains(panel), "missing panel \(panel)")
        }

        // Default output: beside the model, named after task and size.
        let byDefault = try Tool.run(["show", model])
        XCTAssertEqual(byDefault.status, 0, byDefault.stderr)
        XCTAssertNotNil(SVGCheck.parse(dir.appendingPathComponent("copy-10.svg")))
    }

    func testModelsWrittenByTheLibrary() throws {
        // No task metadata: the task is inferred from the widths, or given.
        let task = CopyTask()
        let config = ModelConfig(inputSize: task.inputSize, outputSize: task.outputSize,
                                 controller: .feedforward, controllerLayers: [10], memoryRows: 16, memoryWidth: 4)
        let path = scratch.appendingPathComponent("library.safetensors").path
        try saveModel(Network<Float>(config: config, seed: 3), to: path)
        let run = try Tool.run(["eval", path, "--lengths", "5", "--sequences", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("copy"), run.stdout)
        let show = try Tool.run(["show", path, "--task", "copy", "-o", scratch.appendingPathComponent("l.svg").path])
        XCTAssertEqual(show.status, 0, show.stderr)

        let odd = ModelConfig(inputSize: 3, outputSize: 2, controller: .feedforward, controllerLayers: [4],
                              memoryRows: 8, memoryWidth: 4)
        let oddPath = scratch.appendingPathComponent("odd.safetensors").path
        try saveModel(Network<Float>(config: odd, seed: 3), to: oddPath)
        try assertOneLineError(["eval", oddPath], mentions: "--task")
        try assertOneLineError(["eval", oddPath, "--task", "copy"], mentions: "inputs")
    }

    func testInterruptSavesAndExits() throws {
        let dir = scratch.appendingPathComponent("interrupted")
        // Not stopping at convergence: the default copy run converges in
        // under two seconds, before the interrupt would arrive.
        let run = try Tool.run(["train", "--time", "120", "--no-stop-when-converged", "--output", dir.path],
                               directory: scratch, interruptAfter: 2)
        XCTAssertEqual(run.status, 130, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("interrupted at"), run.stdout)
        let model = try ModelFile.load(dir.appendingPathComponent("model.safetensors").path)
        XCTAssertGreaterThan(model.trainerState?.sequencesSeen ?? 0, 0)
        XCTAssertNotNil(SVGCheck.parse(dir.appendingPathComponent("curve.svg")))
    }

    func testRefusedUpdateSavesTheLastFiniteModel() throws {
        let dir = scratch.appendingPathComponent("diverged")
        let first = try Tool.run(["train", "--task", "copy", "--sequences", "4", "--threads", "1", "--quiet",
                                  "--output", dir.path], directory: scratch)
        XCTAssertEqual(first.status, 0, first.stderr)
        // Weights at ±1e6, the most a parameter may hold: with a large rate,
        // the first update of the resumed run moves some weight beyond it,
        // and the trainer refuses it.
        let path = dir.appendingPathComponent("model.safetensors").path
        let file = try ModelFile.load(path)
        let trainer = try XCTUnwrap(file.trainerState).makeTrainer(network: file.network)
        let extreme = (0..<file.network.layout.count).map { Float($0 % 2 == 0 ? 1e6 : -1e6) }
        file.network.setParameters(extreme)
        try saveModelFile(file.network, trainer: trainer, to: path, task: "copy", taskOptions: [:],
                          networkName: "ntm-feedforward")
        let run = try Tool.run(["train", "--resume", "--sequences", "8", "--threads", "1", "--quiet", "--lr", "1",
                                "--output", dir.path], directory: scratch)
        XCTAssertNotEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("diverged") && run.stderr.contains("refused")
                      && run.stderr.contains("last finite state"), run.stderr)
        XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr)
        let model = try ModelFile.load(path)
        XCTAssertEqual(model.network.parameterValues, extreme, "the refused update changed nothing")
        XCTAssertEqual(model.trainerState?.sequencesSeen, 4)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("curve.csv").path))
        // A rate that could only diverge is refused before training starts.
        try assertOneLineError(["train", "--lr", "1e39", "--output", scratch.appendingPathComponent("x").path],
                               mentions: "--lr")
    }

    // MARK: - Pieces

    func testTestSizes() throws {
        XCTAssertEqual(TestSize(parsing: "20"), TestSize(20))
        XCTAssertEqual(TestSize(parsing: "10x20"), TestSize(10, 20))
        XCTAssertEqual(TestSize(parsing: "10×20"), TestSize(10, 20))
        for bad in ["", "0", "-1", "x", "10x", "x3", "1x2x3", "ten"] { XCTAssertNil(TestSize(parsing: bad), bad) }
        XCTAssertEqual(TestSizeList(argument: "10, 20,50")?.sizes, [TestSize(10), TestSize(20), TestSize(50)])

        var rng = SeededGenerator(seed: 1)
        let copy = CopyTask()
        XCTAssertEqual(try GeneralisationTests.sample(copy, size: TestSize(50), using: &rng).length, 101)
        XCTAssertThrowsError(try GeneralisationTests.sample(copy, size: TestSize(5, 2), using: &rng))
        XCTAssertThrowsError(try GeneralisationTests.sample(copy, size: TestSize(200_000), using: &rng))
        XCTAssertThrowsError(try GeneralisationTests.sample(RepeatCopyTask(), size: TestSize(100_000, 100_000), using: &rng))
        let repeatCopy = RepeatCopyTask()
        let s = try GeneralisationTests.sample(repeatCopy, size: TestSize(10, 20), using: &rng)
        XCTAssertEqual(s.length, RepeatCopyTask.sequenceLength(length: 10, repeats: 20))
        XCTAssertThrowsError(try GeneralisationTests.sample(AssociativeRecallTask(), size: TestSize(1), using: &rng))
        let sort = try GeneralisationTests.sample(PrioritySortTask(), size: TestSize(40), using: &rng)
        XCTAssertEqual(sort.length, 40 + 1 + 32)
        XCTAssertTrue(copy.isInTrainingRange(TestSize(20)))
        XCTAssertFalse(copy.isInTrainingRange(TestSize(21)))
        XCTAssertEqual(TaskDescriptor.copy.testSizes.map(\.count), [10, 20, 30, 50, 120])
        for name in TaskDescriptor.names {
            let task = try TaskDescriptor.named(name).make()
            for size in try TaskDescriptor.named(name).testSizes + [task.pictureSize] {
                XCTAssertNoThrow(try GeneralisationTests.sample(task, size: size, using: &rng), "\(name) \(size)")
            }
        }
    }

    /// The facts that lived in the CLI's per-task switches before `TaskPresentation`, value for value.
    func testTaskPresentationKeepsEveryTasksFacts() {
        let all = TaskKind.allCases.map(\.presentation)
        XCTAssertEqual(all.map(\.title), ["Copy", "Repeat copy", "Associative recall", "Dynamic N-grams", "Priority sort"])
        XCTAssertEqual(all.map(\.sizeHeader), ["length", "length x repeats", "items", "bits", "in x out"])
        XCTAssertEqual(all.map { $0.describeSize(TestSize(5, 3)) },
                       ["length 5", "length 5 × 3 repeats", "5 items", "5 bits", "5 in, 3 out"])
        XCTAssertEqual(TaskPresentation.repeatCopy.describeSize(TestSize(5)), "length 5 × ? repeats")
        XCTAssertEqual(all.map(\.adamRate), [1e-3, 1e-3, 1e-4, 1e-3, 1e-3])
        let optimizers = TaskKind.allCases.map { task in
            NetworkName.allCases.map { TrainDefaults.optimizer(task: task, network: $0).rawValue }
        }
        XCTAssertEqual(optimizers, [["adam", "adam", "adam"], ["adam", "adam", "adam"],
                                    ["rmsprop", "rmsprop", "rmsprop"], ["adam", "adam", "adam"],
                                    ["rmsprop", "adam", "adam"]])
        XCTAssertEqual(all.map(\.reproduceLongLengths), ["20,30,50,80,120", nil, nil, nil, nil])
        XCTAssertEqual(ReproducePaper.dataBits(size: "120"), 960)
        XCTAssertEqual(ReproducePaper.dataBits(size: "10x20"), 1600)
    }

    func testConvergenceTracker() {
        var tracker = ConvergenceTracker(criterion: ConvergenceCriterion(measure: .bitErrors, threshold: 0.01,
                                                                         window: 100))
        for _ in 0..<99 { tracker.record(sequences: 1, lossBits: 1, bitErrors: 0) }
        XCTAssertFalse(tracker.isConverged, "the window is not full yet")
        tracker.record(sequences: 1, lossBits: 1, bitErrors: 0)
        XCTAssertTrue(tracker.isConverged)
        tracker.record(sequences: 1, lossBits: 1, bitErrors: 1)
        XCTAssertEqual(tracker.sequences, 100)
        XCTAssertEqual(tracker.meanBitErrors, 0.01, accuracy: 1e-12)
        XCTAssertFalse(tracker.isConverged, "0.01 is not below 0.01")
        for _ in 0..<100 { tracker.record(sequences: 1, lossBits: 1, bitErrors: 0) }
        XCTAssertTrue(tracker.isConverged, "the error has left the window")
        // Batches: the window always covers at least `window` sequences.
        var batched = ConvergenceTracker(criterion: ConvergenceCriterion(measure: .bitErrors, threshold: 1,
                                                                         window: 10))
        for _ in 0..<20 { batched.record(sequences: 3, lossBits: 3, bitErrors: 0) }
        XCTAssertEqual(batched.sequences, 12)
        // N-grams: excess over the optimum.
        var excess = ConvergenceTracker(criterion: TaskDescriptor.dynamicNGrams.convergence)
        for _ in 0..<1000 { excess.record(sequences: 1, lossBits: 133, bitErrors: 50, optimalBits: 131.5) }
        XCTAssertEqual(excess.measure, 1.5, accuracy: 1e-9)
        XCTAssertTrue(excess.isConverged)
    }

    func testEvalTableRendering() {
        let rows = [Eval.Row(size: TestSize(10), steps: 21, lossBits: 0.5, bitErrors: 0, perfect: 100,
                             optimalBits: nil, inTraining: true),
                    Eval.Row(size: TestSize(120), steps: 241, lossBits: 123.25, bitErrors: 10.5, perfect: 3,
                             optimalBits: nil, inTraining: false)]
        let text = Eval.render(rows, task: .copy, sequences: 100)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[1].hasPrefix("    10"), String(lines[1]))
        XCTAssertTrue(lines[2].hasPrefix("   120"), String(lines[2]))
        XCTAssertFalse(text.contains(" \n"), "no trailing spaces")
    }
}
