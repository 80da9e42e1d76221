import ArgumentParser
import NTM

/// The command line of ntm-bench. For each configuration (by default the
/// paper's copy NTM, the priority-sort and associative-recall feedforward
/// NTMs and the LSTM baseline) it measures:
///   - training sequences per second: batch 1 with 1 thread, batch 16 with 1
///     and 2 threads (Trainer.train on pre-drawn sequences, optimiser step
///     included, data generation excluded);
///   - inference step latency, median and p99 over many InferenceStream.step
///     calls, each timed on its own;
///   - the CPU time of every timed run beside its wall time, so that a run
///     that did not have its cores to itself can be recognised (Clocks.swift);
///   - heap allocations per step and per update after warm-up (AllocationCounter);
///   - peak resident memory after each configuration;
///   - effective GFLOP/s from an analytic operation count (FlopCount).
/// Every figure is the median of `--repeats` runs.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ntm-bench",
        abstract: "Training throughput, step latency, allocations and FLOP rates of ntm (see docs/PERFORMANCE.md).",
        discussion: """
        benchmarks/run.sh runs this tool alternately with the PyTorch reference and prints the comparison.
        --export DIR writes the files of benchmarks/check_reference.py instead of benchmarking.
        """)

    @Option(help: "Measurements per figure; the median is reported.")
    var repeats = 5

    @Option(help: "Minimum wall time of one training measurement, in seconds.")
    var seconds = 0.4

    @Option(help: "Inference steps per latency measurement.")
    var steps = 20_000

    @Option(name: .customLong("config"),
            help: "One of \(benchConfigs.map(\.key).joined(separator: ", ")) or a preset name (repeatable; default: all).")
    var configs: [String] = []

    @Option(name: .customLong("json"), help: "Also write every figure and the workload as JSON (for benchmarks/run.py).")
    var jsonPath: String?

    @Flag(help: "Short runs: --repeats 3 --seconds 0.2 --steps 5000.")
    var quick = false

    @Option(help: "Training runs as BATCHxTHREADS, comma-separated, or \"none\".")
    var runs = TrainingRunList(TrainingRun.standard)

    @Flag(name: .customLong("no-step"), help: "Skip the inference latency (e.g. to profile training alone).")
    var skipStep = false

    @Option(name: .customLong("export"), help: "Write the reference-check files into this directory instead of benchmarking.")
    var exportDirectory: String?

    @Flag(help: """
        Print the call stack of every heap allocation in one steady-state update (batch 1, and batch 16 on \
        2 threads) and one step of each config instead of benchmarking (needs the preloaded interposer).
        """)
    var traceAllocations = false

    mutating func validate() throws {
        if quick {
            repeats = 3
            seconds = 0.2
            steps = 5_000
        }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard steps >= 100 else { throw ValidationError("--steps must be at least 100") }
        for key in configs where !benchConfigs.contains(where: { $0.key == key }) {
            guard (try? Presets.named(key)) != nil else {
                throw ValidationError("unknown config \"\(key)\": use \(benchConfigs.map(\.key).joined(separator: ", ")) or a preset name")
            }
        }
    }

    func run() throws {
        if let exportDirectory {
            export(to: exportDirectory)
        } else if traceAllocations {
            printAllocationTraces(configs: configs)
        } else {
            runBenchmarks(BenchSettings(repeats: repeats, seconds: seconds, steps: steps, configs: configs,
                                        jsonPath: jsonPath, runs: runs.runs, measureStep: !skipStep))
        }
    }
}

/// What a benchmark run measures, once the command line is parsed.
struct BenchSettings {
    var repeats: Int
    var seconds: Double
    var steps: Int
    var configs: [String]
    var jsonPath: String?
    var runs: [TrainingRun]
    var measureStep: Bool
}
