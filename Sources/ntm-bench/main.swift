// ntm-bench — the measurements behind docs/PERFORMANCE.md.
//
//   swift build -c release --scratch-path .build-bench --product ntm-bench
//   .build-bench/release/ntm-bench [--repeats N] [--seconds S] [--steps N]
//                                  [--config NAME]... [--json FILE] [--quick]
//   .build-bench/release/ntm-bench --export DIR
//
// For each configuration (by default the paper's copy network, then the
// priority-sort and associative-recall feedforward NTMs) it prints:
//   - training sequences per second: batch 1 with 1 thread, batch 16 with 1
//     and 2 threads (Trainer.train on pre-drawn sequences, optimiser step
//     included, data generation excluded);
//   - inference step latency, median and p99 over many InferenceStream.step
//     calls, each timed on its own (CLOCK_MONOTONIC);
//   - heap allocations per step and per update after warm-up — exact counts
//     when run under LD_PRELOAD=libntm_alloc_count.so (benchmarks/alloc_count.c,
//     which benchmarks/run.sh builds); otherwise mallinfo2() arena growth in
//     bytes, which is not a count and is labelled so;
//   - peak resident memory (getrusage ru_maxrss) after each configuration;
//   - effective GFLOP/s: an analytic count of floating-point operations
//     (`FlopCount` below) divided by the measured time.
// Every figure is the median of `--repeats` runs.
//
// `--export DIR` writes, for the reference check of benchmarks/check_reference.py,
// a model, a batch, and our outputs, loss and gradient in float32 and float64.

import NTM
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Options

struct Options {
    var repeats = 5
    var seconds = 0.4
    var steps = 20_000
    var configs: [String] = []
    var jsonPath: String? = nil
    var exportDirectory: String? = nil
    var traceAllocations = false
    /// Training measurements as (batch, threads).
    var runs = [(1, 1), (16, 1), (16, 2)]
    var measureStep = true
}

let benchConfigs: [(key: String, preset: String)] = [
    ("copy", "copy/ntm-lstm"),
    ("priority-sort", "priority-sort/ntm-feedforward"),
    ("associative-recall", "associative-recall/ntm-feedforward"),
]

func usage() -> Never {
    print("""
    usage: ntm-bench [--repeats N] [--seconds S] [--steps N] [--config NAME]... [--json FILE] [--quick]
           ntm-bench --export DIR

      --repeats N    measurements per figure; the median is reported (default 5)
      --seconds S    minimum wall time of one training measurement (default 0.4)
      --steps N      inference steps per latency measurement (default 20000)
      --config NAME  one of \(benchConfigs.map(\.key).joined(separator: ", ")) or a preset name
                     (repeatable; default: all three)
      --json FILE    also write every figure and the workload as JSON (for benchmarks/run.py)
      --quick        --repeats 3 --seconds 0.2 --steps 5000
      --runs LIST    training runs as BATCHxTHREADS (default 1x1,16x1,16x2; "none": no training)
      --no-step      skip the inference latency (e.g. to profile training alone)
      --export DIR   write the reference-check files instead of benchmarking
      --trace-allocations
                     print the call stack of every heap allocation in one steady-state
                     update (batch 1 and batch 16 × 2 threads) and one step of each
                     config, instead of benchmarking (needs the preloaded interposer)
    """)
    exit(2)
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    func value(_ flag: String) -> String {
        guard let v = arguments.popFirst() else { print("ntm-bench: \(flag) needs a value"); usage() }
        return v
    }
    while let flag = arguments.popFirst() {
        switch flag {
        case "--repeats": options.repeats = max(1, Int(value(flag)) ?? { usage() }())
        case "--seconds": options.seconds = Double(value(flag)) ?? { usage() }()
        case "--steps": options.steps = max(100, Int(value(flag)) ?? { usage() }())
        case "--config": options.configs.append(value(flag))
        case "--json": options.jsonPath = value(flag)
        case "--export": options.exportDirectory = value(flag)
        case "--trace-allocations": options.traceAllocations = true
        case "--runs":
            let text = value(flag)
            options.runs = text == "none" ? [] : text.split(separator: ",").map { run in
                let parts = run.split(separator: "x").compactMap { Int($0) }
                guard parts.count == 2, parts[0] >= 1, parts[1] >= 1 else { usage() }
                return (parts[0], parts[1])
            }
        case "--no-step": options.measureStep = false
        case "--quick":
            options.repeats = 3
            options.seconds = 0.2
            options.steps = 5_000
        case "-h", "--help": usage()
        default: print("ntm-bench: unknown argument \(flag)"); usage()
        }
    }
    return options
}

// MARK: - Clocks, memory, allocation counts

@inline(__always)
func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

func seconds() -> Double { Double(nanoseconds()) * 1e-9 }

/// Peak resident set size of the process so far, in MiB.
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024   // ru_maxrss is in KiB on Linux
}

/// Heap-allocation counting: exact when the preloaded interposer is there.
enum AllocationCounter {
    typealias Getter = @convention(c) () -> UInt64
    static let getter: Getter? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "ntm_bench_allocations") else { return nil }
        return unsafeBitCast(symbol, to: Getter.self)
    }()

    static var exact: Bool { getter != nil }

    /// The interposer's call-stack tracing switch, when preloaded.
    static let trace: (@convention(c) (Int32) -> Void)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "ntm_bench_trace") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
    }()

    /// Exact: allocating calls so far. Fallback: bytes in use in the malloc
    /// arena (mallinfo2 uordblks + hblkhd), whose growth is *not* a count.
    static func reading() -> Int64 {
        if let getter { return Int64(getter()) }
        return arenaBytesInUse()
    }

    /// glibc's `mallinfo2()` (not in Swift's Glibc module): a struct of ten
    /// `size_t`, which the x86-64 System V ABI returns through a hidden
    /// pointer in the first argument register. Fields 4 (hblkhd, mmapped
    /// bytes) and 7 (uordblks, bytes in use) are summed.
    static let mallinfo2: (@convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer)? = {
        #if arch(x86_64)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallinfo2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer).self)
        #else
        return nil
        #endif
    }()

    static func arenaBytesInUse() -> Int64 {
        guard let mallinfo2 else { return 0 }
        var fields = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &fields) { raw in
            _ = mallinfo2(raw.baseAddress!)
            let f = raw.bindMemory(to: Int.self)
            return Int64(f[4] + f[7])
        }
    }

    static var unit: String { exact ? "allocations" : "arena bytes (mallinfo2 growth, not a count)" }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

// MARK: - Floating-point operation count

/// An analytic count of the floating-point operations of one time step,
/// derived from the config alone (not measured). Conventions: a
/// multiply-add is 2 operations; every add, multiply, divide, square root
/// and transcendental (exp, log, tanh, log1p) is 1; copies, comparisons and
/// index arithmetic are 0. Sizes: X inputs, Y outputs, controller layers
/// I_l → O_l (H = last O), R read and W write heads, memory N × M,
/// nS = 2S+1 shifts, U = X + R·M controller inputs, and the heads' raw
/// width P = R·(M + 3 + nS) + W·(3M + 3 + nS).
///
/// Forward, per step:
///   feedforward layer   2·I·O (W x, bias folded in) + O (tanh)
///   LSTM layer          2·(I + O)·4O (W [x; h]) + 4O (gates) + 5O (c, tanh c, h)
///   head parameters     2·H·P
///   addressing, per head (content, gate, shift, sharpen):
///                       2MN + (18 + 2nS)·N + 2M + 4nS + 8
///                         content: ‖k‖ 2M; k·M_i 2M·N; K and βK 4N; softmax 4N
///                         gate 3N; shift 2nS·N; sharpen (log, ·γ, +δ) 3N + softmax 4N
///                         scalars (softplus, σ, shift softmax) 4nS + 8
///   erase/add vectors   2M per write head
///   write               5NM per write head (erase 3, add 2) + row norms 2NM + N
///   read                2NM per read head
///   output              2·Y·(H + R·M) + Y (σ)
/// Backward, per step (the backward of each product costs one transposed
/// product for the input gradient and one outer product for the weight
/// gradient, each as many operations as the forward product):
///   loss and ∂logits    6Y
///   output              4·Y·(H + R·M) + Y (bias)
///   read, per read head 4NM (∂w dot, ∂M axpy)
///   addressing, per head 8MN + (38 + 4nS)·N + 5nS + 10
///                         sharpen 10N; shift 4nS·N + softmax 5nS; gate 7N;
///                         content softmax 5N, ∂β 2N; cosine 4 axpys of M per
///                         row (8MN) + 14N scalars
///   write               one head: 13NM + 2N; W > 1 heads: (15W + 1)·NM + 2WN
///                       (prefix/suffix products of the erase factors)
///   erase/add vectors   5M per write head (7M with tanh adds)
///   head parameters     4·H·P + P
///   feedforward layer   3O + 4·I·O + O
///   LSTM layer          22O + 4·(I + O)·4O + 4O
///   read-vector input   R·M
/// Per update (batch B, Pn parameters): reduction B·Pn (+ Pn to scale when
/// B > 1) and the optimiser, 16·Pn for Graves' RMSProp (n, ḡ, Δ, w), 14·Pn
/// for Adam. The per-sequence initial-state terms (O(N + H)) are left out.
struct FlopCount {
    let forwardStep: Double
    let backwardStep: Double
    let parameters: Int
    let optimizerPerParameter: Double

    init(_ c: ModelConfig, parameters: Int, optimizer: OptimizerConfig.Kind) {
        let X = Double(c.inputSize), Y = Double(c.outputSize)
        let memory = c.kind == .ntm
        let R = memory ? Double(c.readHeads) : 0, W = memory ? Double(c.writeHeads) : 0
        let N = Double(c.memoryRows), M = Double(c.memoryWidth), nS = Double(2 * c.shiftRange + 1)
        let H = Double(c.controllerLayers.last!)
        let P = R * (M + 3 + nS) + W * (3 * M + 3 + nS)
        var forward = 0.0, backward = 0.0
        var inputs = X + R * M
        for units in c.controllerLayers.map(Double.init) {
            if c.controller == .feedforward {
                forward += 2 * inputs * units + units
                backward += 3 * units + 4 * inputs * units + units
            } else {
                forward += 2 * (inputs + units) * 4 * units + 4 * units + 5 * units
                backward += 22 * units + 4 * (inputs + units) * 4 * units + 4 * units
            }
            inputs = units
        }
        if memory {
            let heads = R + W
            forward += 2 * H * P
            forward += heads * (2 * M * N + (18 + 2 * nS) * N + 2 * M + 4 * nS + 8)
            forward += W * (2 * M + 5 * N * M) + 2 * N * M + N
            forward += R * 2 * N * M
            backward += R * 4 * N * M
            backward += heads * (8 * M * N + (38 + 4 * nS) * N + 5 * nS + 10)
            backward += W == 1 ? 13 * N * M + 2 * N : (15 * W + 1) * N * M + 2 * W * N
            backward += W * (c.addActivation == .tanh ? 7 : 5) * M
            backward += 4 * H * P + P
            backward += R * M
        }
        forward += 2 * Y * (H + R * M) + Y
        backward += 6 * Y + 4 * Y * (H + R * M) + Y
        forwardStep = forward
        backwardStep = backward
        self.parameters = parameters
        optimizerPerParameter = optimizer == .rmsprop ? 16 : 14
    }

    var trainingStep: Double { forwardStep + backwardStep }

    func perUpdate(batch: Int) -> Double {
        Double(parameters) * (Double(batch) + (batch > 1 ? 1 : 0) + optimizerPerParameter)
    }
}

// MARK: - Workloads

/// A configuration to measure: a preset and a fixed pool of sequences,
/// cycled through in order by every measurement (so that every repeat, and
/// the PyTorch benchmark reading the same lengths, sees the same work).
struct Workload {
    let key: String
    let preset: Preset
    let pool: [TaskSequence]

    init(key: String, presetName: String) throws {
        self.key = key
        preset = try Presets.named(presetName)
        var rng = SeededGenerator(seed: 7)
        if preset.task == "copy" {
            // Copy lengths 1…20, each once, in a fixed shuffled order.
            let task = CopyTask(minLength: 1, maxLength: 20)
            var lengths = Array(1...20)
            lengths.shuffle(using: &rng)
            pool = lengths.map { task.sample(length: $0, using: &rng) }
        } else {
            let task = try TaskDescriptor.named(preset.task).make()
            pool = (0..<20).map { _ in task.sample(using: &rng) }
        }
    }

    var lengths: [Int] { pool.map(\.length) }
}

struct TrainingFigure {
    var batch: Int, threads: Int
    var sequencesPerSecond: Double
    var all: [Double]
    var gflops: Double
    var allocationsPerUpdate: Double
    var updatesCounted: Int
}

struct InferenceFigure {
    var medianMicroseconds: Double, p99Microseconds: Double
    var allMedians: [Double], allP99: [Double]
    var gflops: Double
    var allocationsPerStep: Double
    var stepsCounted: Int
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

func measureTraining(_ w: Workload, batch: Int, threads: Int, flops: FlopCount, options: Options) -> TrainingFigure {
    let network = Network<Float>(config: w.preset.model, seed: 1)
    let trainer = Trainer(network: network, optimizer: w.preset.optimizer, threads: threads, dataSeed: 2)
    // One unit: the fewest updates that use every sequence of the pool
    // equally often.
    let pool = w.pool
    let updatesPerUnit = pool.count / gcd(pool.count, batch)
    var batches: [[TaskSequence]] = []
    var next = 0
    for _ in 0..<updatesPerUnit {
        var b: [TaskSequence] = []
        for _ in 0..<batch {
            b.append(pool[next])
            next = (next + 1) % pool.count
        }
        batches.append(b)
    }
    let sequencesPerUnit = updatesPerUnit * batch
    let stepsPerUnit = Double(w.lengths.reduce(0, +) * (sequencesPerUnit / pool.count))
    let flopsPerUnit = stepsPerUnit * flops.trainingStep + Double(updatesPerUnit) * flops.perUpdate(batch: batch)

    func runUnit() { for b in batches { trainer.train(b) } }

    // Warm-up (tapes grow to the longest sequence) and calibration.
    runUnit()
    let start = seconds()
    runUnit()
    let unitTime = max(seconds() - start, 1e-6)
    let units = max(1, Int((options.seconds / unitTime).rounded(.up)))

    // Allocations over one unit, after warm-up.
    let before = AllocationCounter.reading()
    runUnit()
    let after = AllocationCounter.reading()
    let allocationsPerUpdate = Double(after - before) / Double(updatesPerUnit)

    var rates: [Double] = []
    for _ in 0..<options.repeats {
        let t0 = seconds()
        for _ in 0..<units { runUnit() }
        let elapsed = seconds() - t0
        rates.append(Double(units * sequencesPerUnit) / elapsed)
    }
    let rate = median(rates)
    let gflops = rate / Double(sequencesPerUnit) * flopsPerUnit * 1e-9
    return TrainingFigure(batch: batch, threads: threads, sequencesPerSecond: rate, all: rates, gflops: gflops,
                          allocationsPerUpdate: allocationsPerUpdate, updatesCounted: updatesPerUnit)
}

func measureInference(_ w: Workload, flops: FlopCount, options: Options) -> InferenceFigure {
    let network = Network<Float>(config: w.preset.model, seed: 1)
    let stream = InferenceStream(network: network)
    let inputSize = w.preset.model.inputSize
    // Every sequence's inputs in one buffer, so the timed loop touches no array.
    let lengths = w.lengths
    let total = lengths.reduce(0, +)
    let inputs = UnsafeMutablePointer<Float>.allocate(capacity: total * inputSize)
    var starts: [Int] = []
    var offset = 0
    for s in w.pool {
        starts.append(offset)
        for (k, v) in s.inputs.enumerated() { inputs[offset + k] = v }
        offset += s.inputs.count
    }
    let output = UnsafeMutablePointer<Float>.allocate(capacity: w.preset.model.outputSize)
    let steps = options.steps
    let times = UnsafeMutablePointer<UInt64>.allocate(capacity: steps)
    defer { inputs.deallocate(); output.deallocate(); times.deallocate() }

    let poolCount = lengths.count
    func run(_ count: Int, timed: Bool) {
        var sequence = 0, position = 0
        stream.reset()
        for i in 0..<count {
            if position == lengths[sequence] {
                stream.reset()
                sequence = sequence + 1 == poolCount ? 0 : sequence + 1
                position = 0
            }
            let x = inputs + starts[sequence] + position * inputSize
            if timed {
                let t0 = nanoseconds()
                stream.step(x, output: output)
                times[i] = nanoseconds() &- t0
            } else {
                stream.step(x, output: output)
            }
            position += 1
        }
    }

    run(min(steps, 2 * total), timed: false)   // warm-up
    let before = AllocationCounter.reading()
    run(steps, timed: false)
    let after = AllocationCounter.reading()
    var medians: [Double] = [], p99s: [Double] = []
    for _ in 0..<options.repeats {
        run(steps, timed: true)
        var sorted = UnsafeMutableBufferPointer(start: times, count: steps)
        sorted.sort()
        medians.append(Double(sorted[steps / 2]) * 1e-3)
        p99s.append(Double(sorted[min(steps - 1, steps * 99 / 100)]) * 1e-3)
    }
    let m = median(medians)
    return InferenceFigure(medianMicroseconds: m, p99Microseconds: median(p99s), allMedians: medians, allP99: p99s,
                           gflops: flops.forwardStep / (m * 1e-6) * 1e-9,
                           allocationsPerStep: Double(after - before) / Double(steps), stepsCounted: steps)
}

// MARK: - JSON output

func jsonString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}

func jsonNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
func jsonArray(_ xs: [Double]) -> String { "[" + xs.map(jsonNumber).joined(separator: ", ") + "]" }

func writeText(_ text: String, to path: String) {
    do {
        try writeFileAtomically(atPath: path, bytes: Array(text.utf8))
    } catch {
        print("ntm-bench: cannot write \(path): \(error)")
        exit(1)
    }
}

// MARK: - Benchmark

func format(_ x: Double, _ digits: Int = 1) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([x]) { vsnprintf(&buffer, 64, "%.\(digits)f", $0) }
    return String(cString: buffer)
}

func runBenchmarks(_ options: Options) {
    let selected = options.configs.isEmpty ? benchConfigs.map(\.key) : options.configs
    print("ntm-bench: float32, kernels \(KernelDispatch.name), \(options.repeats) repeats per figure (median), "
          + "≥ \(options.seconds) s per training run, \(options.steps) steps per latency run")
    print("allocation counts: \(AllocationCounter.exact ? "exact (preloaded interposer)" : "NOT exact — mallinfo2 arena growth in bytes; run under LD_PRELOAD=libntm_alloc_count.so for counts")")
    print("peak RSS at start: \(format(peakResidentMiB())) MiB")
    var jsonConfigs: [String] = []
    for key in selected {
        let presetName = benchConfigs.first { $0.key == key }?.preset ?? key
        let workload: Workload
        do { workload = try Workload(key: key, presetName: presetName) } catch {
            print("ntm-bench: \(error)")
            exit(2)
        }
        let config = workload.preset.model
        let parameters = ParameterLayout(config).count
        let flops = FlopCount(config, parameters: parameters, optimizer: workload.preset.optimizer.kind)
        let lengths = workload.lengths
        print("")
        print("== \(key) (\(presetName)): \(config.controller.rawValue) \(config.controllerLayers), "
              + "\(config.readHeads) read + \(config.writeHeads) write heads, memory \(config.memoryRows)×\(config.memoryWidth), "
              + "\(parameters) parameters, \(workload.preset.optimizer.kind.rawValue)")
        print("   workload: \(lengths.count) sequences cycled, \(lengths.reduce(0, +)) steps "
              + "(mean \(format(Double(lengths.reduce(0, +)) / Double(lengths.count))) per sequence)")
        print("   FLOPs per step: forward \(Int(flops.forwardStep)), backward \(Int(flops.backwardStep)), "
              + "optimiser \(Int(flops.optimizerPerParameter)) × \(parameters) per update")
        var trainingJSON: [String] = []
        for (batch, threads) in options.runs {
            let f = measureTraining(workload, batch: batch, threads: threads, flops: flops, options: options)
            print("   train batch \(batch), \(threads) thread\(threads == 1 ? "" : "s"): "
                  + "\(format(f.sequencesPerSecond)) sequences/s  (\(format(f.gflops, 2)) GFLOP/s; "
                  + "runs \(f.all.map { format($0) }.joined(separator: ", ")); "
                  + "\(format(f.allocationsPerUpdate, 2)) \(AllocationCounter.unit) per update)")
            trainingJSON.append("""
                {"batch": \(batch), "threads": \(threads), "sequences_per_second": \(jsonNumber(f.sequencesPerSecond)), \
                "runs": \(jsonArray(f.all)), "gflops": \(jsonNumber(f.gflops)), \
                "allocations_per_update": \(jsonNumber(f.allocationsPerUpdate)), "updates_counted": \(f.updatesCounted)}
                """)
        }
        let inference = options.measureStep ? measureInference(workload, flops: flops, options: options)
            : InferenceFigure(medianMicroseconds: .nan, p99Microseconds: .nan, allMedians: [], allP99: [],
                              gflops: .nan, allocationsPerStep: .nan, stepsCounted: 0)
        if options.measureStep { print("   inference step (Swift InferenceStream.step): median \(format(inference.medianMicroseconds, 2)) µs, "
              + "p99 \(format(inference.p99Microseconds, 2)) µs  (\(format(inference.gflops, 2)) GFLOP/s; "
              + "\(format(inference.allocationsPerStep, 3)) \(AllocationCounter.unit) per step)") }
        let peak = peakResidentMiB()
        print("   peak RSS so far: \(format(peak)) MiB")
        jsonConfigs.append("""
            {"key": \(jsonString(key)), "preset": \(jsonString(presetName)), "model": \(config.jsonText), \
            "parameters": \(parameters), "learning_rate": \(workload.preset.optimizer.learningRate), "lengths": [\(lengths.map(String.init).joined(separator: ", "))], \
            "flops_forward_step": \(jsonNumber(flops.forwardStep)), "flops_backward_step": \(jsonNumber(flops.backwardStep)), \
            "training": [\(trainingJSON.joined(separator: ", "))], \
            "inference": {"median_us": \(jsonNumber(inference.medianMicroseconds)), "p99_us": \(jsonNumber(inference.p99Microseconds)), \
            "medians_us": \(jsonArray(inference.allMedians)), "p99s_us": \(jsonArray(inference.allP99)), \
            "gflops": \(jsonNumber(inference.gflops)), "allocations_per_step": \(jsonNumber(inference.allocationsPerStep))}, \
            "peak_rss_mib": \(jsonNumber(peak))}
            """)
    }
    if let path = options.jsonPath {
        let text = """
            {"repeats": \(options.repeats), "allocation_counts_exact": \(AllocationCounter.exact), \
            "configs": [\(jsonConfigs.joined(separator: ",\n"))]}

            """
        writeText(text, to: path)
    }
}

// MARK: - Export for the reference check

/// The configurations of the reference check: two small ones that reach the
/// corners (two controller layers, several heads — the multi-head write
/// path —, shift range 2, learned or random initial memory, tanh adds) and
/// the paper's two copy networks, the LSTM one also after 300 Adam updates
/// (`trainedUpdates`), whose sharper weightings (larger β and γ) exercise
/// the addressing far from its initial state.
func exportCases() throws -> [(name: String, config: ModelConfig, batch: [TaskSequence], trainedUpdates: Int)] {
    var rng = SeededGenerator(seed: 11)
    func randomBatch(_ lengths: [Int], inputs: Int, outputs: Int) -> [TaskSequence] {
        lengths.map { length in
            var s = TaskSequence(length: length, inputSize: inputs, outputSize: outputs)
            for k in 0..<s.inputs.count { s.inputs[k] = rng.bit() ? Float(rng.uniform(-1.0, 1.0)) : 0 }
            for k in 0..<s.targets.count { s.targets[k] = rng.bit() ? 1 : 0 }
            for t in 0..<length { s.mask[t] = rng.uniform(0.0, 1.0) < 0.7 ? 1 : 0 }
            s.mask[length - 1] = 1
            return s
        }
    }
    let feedforward = ModelConfig(inputSize: 4, outputSize: 3, controller: .feedforward, controllerLayers: [16, 12],
                                  readHeads: 2, writeHeads: 2, memoryRows: 8, memoryWidth: 5, shiftRange: 1,
                                  initialMemory: .learned, addActivation: .tanh)
    let lstm = ModelConfig(inputSize: 5, outputSize: 4, controller: .lstm, controllerLayers: [12, 10],
                           readHeads: 1, writeHeads: 2, memoryRows: 10, memoryWidth: 6, shiftRange: 2,
                           initialMemory: .random)
    let copyTask = CopyTask(minLength: 1, maxLength: 20)
    func copyBatch() -> [TaskSequence] { [copyTask.sample(length: 20, using: &rng), copyTask.sample(length: 7, using: &rng)] }
    return [
        ("ff-small", feedforward, randomBatch([5, 9, 7], inputs: 4, outputs: 3), 0),
        ("lstm-small", lstm, randomBatch([6, 11, 4], inputs: 5, outputs: 4), 0),
        ("copy-lstm", try Presets.named("copy/ntm-lstm").model, copyBatch(), 0),
        ("copy-ff", try Presets.named("copy/ntm-feedforward").model, copyBatch(), 0),
        ("copy-lstm-trained", try Presets.named("copy/ntm-lstm").model, copyBatch(), 300),
    ]
}

/// Our outputs (padded to the longest sequence), mean loss in nats and mean
/// gradient of `batch` for a network with `values` as parameters, in `T`.
func ourResults<T: NTMScalar>(_ config: ModelConfig, values: [T], batch: [TaskSequence], as _: T.Type)
    -> (outputs: [T], loss: Double, gradient: [T]) {
    let network = Network<T>(config: config, parameters: values)
    let longest = batch.map(\.length).max()!
    let width = config.outputSize
    var outputs = [T](repeating: 0, count: batch.count * longest * width)
    let stream = InferenceStream(network: network)
    for (b, s) in batch.enumerated() {
        stream.reset()
        for t in 0..<s.length {
            let x = (0..<s.inputSize).map { T(s.inputs[t * s.inputSize + $0]) }
            let y = stream.step(x)
            for j in 0..<width { outputs[(b * longest + t) * width + j] = y[j] }
        }
    }
    let trainer = Trainer(network: network, optimizer: .rmsprop, threads: 1)
    let result = trainer.computeGradient(batch)
    let loss = result.lossBits * Double.log(2) / Double(batch.count)
    return (outputs, loss, Array(trainer.gradient))
}

func export(to directory: String) {
    mkdir(directory, 0o755)
    do {
        for (name, config, batch, trainedUpdates) in try exportCases() {
            let dir = directory + "/" + name
            mkdir(dir, 0o755)
            let network = Network<Float>(config: config, seed: 5)
            if trainedUpdates > 0 {
                let trainer = Trainer(network: network, optimizer: .adam, threads: 1, dataSeed: 9)
                let task = CopyTask(minLength: 1, maxLength: 20)
                for _ in 0..<trainedUpdates { trainer.train(on: task, batchSize: 1) }
            }
            try saveModel(network, to: dir + "/model.safetensors")
            let layout = network.layout
            let longest = batch.map(\.length).max()!
            let x = config.inputSize, y = config.outputSize
            var inputs = [Float](repeating: 0, count: batch.count * longest * x)
            var targets = [Float](repeating: 0, count: batch.count * longest * y)
            var mask = [Float](repeating: 0, count: batch.count * longest)
            for (b, s) in batch.enumerated() {
                for k in 0..<s.inputs.count { inputs[b * longest * x + k] = s.inputs[k] }
                for k in 0..<s.targets.count { targets[b * longest * y + k] = s.targets[k] }
                for t in 0..<s.length { mask[b * longest + t] = s.mask[t] }
            }
            let batchArchive = SafeTensorsArchive(tensors: [
                SafeTensor(name: "inputs", shape: [batch.count, longest, x], floats: inputs),
                SafeTensor(name: "targets", shape: [batch.count, longest, y], floats: targets),
                SafeTensor(name: "mask", shape: [batch.count, longest], floats: mask),
                SafeTensor(name: "lengths", shape: [batch.count], int64s: batch.map { Int64($0.length) }),
            ])
            try writeFileAtomically(atPath: dir + "/batch.safetensors", bytes: batchArchive.encoded())

            let weights = network.parameterValues
            let single = ourResults(config, values: weights, batch: batch, as: Float.self)
            let double = ourResults(config, values: weights.map(Double.init), batch: batch, as: Double.self)
            func archive<T: NTMScalar>(_ r: (outputs: [T], loss: Double, gradient: [T])) -> [UInt8] {
                func tensor(_ name: String, _ shape: [Int], _ v: [T]) -> SafeTensor {
                    T.self == Float.self ? SafeTensor(name: name, shape: shape, floats: v.map { Float($0) })
                        : SafeTensor(name: name, shape: shape, doubles: v.map { Double($0) })
                }
                var tensors = [tensor("outputs", [batch.count, longest, y], r.outputs),
                               SafeTensor(name: "loss", shape: [1], doubles: [r.loss])]
                for t in layout.tensors {
                    tensors.append(tensor("grad." + t.name, t.shape, Array(r.gradient[t.range])))
                }
                return SafeTensorsArchive(tensors: tensors, metadata: [(key: "dtype", value: T.name)]).encoded()
            }
            try writeFileAtomically(atPath: dir + "/ours_float32.safetensors", bytes: archive(single))
            try writeFileAtomically(atPath: dir + "/ours_float64.safetensors", bytes: archive(double))
            print("exported \(dir): \(layout.count) parameters, batch \(batch.map(\.length)), "
                  + "loss \(single.loss) (float32) / \(double.loss) (float64)")
        }
    } catch {
        print("ntm-bench: export failed: \(error)")
        exit(1)
    }
}

// MARK: - Allocation tracing

func traceAllocations(_ options: Options) {
    guard let trace = AllocationCounter.trace else {
        print("ntm-bench: --trace-allocations needs LD_PRELOAD=libntm_alloc_count.so (benchmarks/alloc_count.c)")
        exit(2)
    }
    trace(0)   // loads what backtrace() needs before anything is counted
    let selected = options.configs.isEmpty ? benchConfigs.map(\.key) : options.configs
    for key in selected {
        let presetName = benchConfigs.first { $0.key == key }?.preset ?? key
        guard let workload = try? Workload(key: key, presetName: presetName) else { exit(2) }
        for (batch, threads) in [(1, 1), (16, 2)] {
            let network = Network<Float>(config: workload.preset.model, seed: 1)
            let trainer = Trainer(network: network, optimizer: workload.preset.optimizer, threads: threads)
            var batches: [[TaskSequence]] = []
            for u in 0..<max(2, workload.pool.count / batch) {
                batches.append((0..<batch).map { workload.pool[(u * batch + $0) % workload.pool.count] })
            }
            for b in batches { trainer.train(b) }   // warm-up: every length seen
            print("== \(key): one update, batch \(batch), \(threads) thread(s):", terminator: "\n")
            fflush(stdout)
            let before = AllocationCounter.reading()
            trace(1)
            trainer.train(batches[0])
            trace(0)
            let count = AllocationCounter.reading() - before
            print("   \(count) allocations")
        }
        let network = Network<Float>(config: workload.preset.model, seed: 1)
        let stream = InferenceStream(network: network)
        let x = [Float](repeating: 0, count: workload.preset.model.inputSize)
        var y = [Float](repeating: 0, count: workload.preset.model.outputSize)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                for _ in 0..<10 { stream.step(xp.baseAddress!, output: yp.baseAddress!) }
                print("== \(key): one inference step:")
                fflush(stdout)
                let before = AllocationCounter.reading()
                trace(1)
                stream.step(xp.baseAddress!, output: yp.baseAddress!)
                trace(0)
                let count = AllocationCounter.reading() - before
                print("   \(count) allocations")
            }
        }
    }
}

// MARK: - Main

let options = parseOptions()
if let directory = options.exportDirectory {
    export(to: directory)
} else if options.traceAllocations {
    traceAllocations(options)
} else {
    runBenchmarks(options)
}
