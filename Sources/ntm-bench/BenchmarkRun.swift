import NTM
#if canImport(Glibc)
import Glibc
#endif

func format(_ x: Double, _ digits: Int = 1) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([x]) { vsnprintf(&buffer, 64, "%.\(digits)f", $0) }
    return String(cString: buffer)
}

func percent(_ share: Double?) -> String { share.map { $0.isFinite ? format($0 * 100, 0) + " %" : "—" } ?? "—" }

/// Measures every selected configuration, prints each figure as it comes,
/// and writes them all as JSON for benchmarks/run.py (and as the workload
/// that benchmarks/pytorch_ntm.py reads: each config's model and lengths).
func runBenchmarks(_ settings: BenchSettings) {
    let selected = settings.configs.isEmpty ? benchConfigs.map(\.key) : settings.configs
    print("ntm-bench: float32, kernels \(KernelDispatch.name), \(settings.repeats) repeats per figure (median), "
          + "≥ \(settings.seconds) s per training run, \(settings.steps) steps per latency run")
    print("clocks: \(clockDescription)")
    print("allocation counts: \(AllocationCounter.exact ? "exact (preloaded interposer)" : "NOT exact — mallinfo2 arena growth in bytes; run under LD_PRELOAD=libntm_alloc_count.so for counts")")
    print("peak RSS at start: \(format(peakResidentMiB())) MiB")
    var configsJSON: [JSONValue] = []
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
        print("== \(key) (\(presetName)): \(config.kind.rawValue), \(config.controller.rawValue) \(config.controllerLayers), "
              + "\(config.readHeads) read + \(config.writeHeads) write heads, memory \(config.memoryRows)×\(config.memoryWidth), "
              + "\(parameters) parameters, \(workload.preset.optimizer.kind.rawValue)")
        print("   workload: \(lengths.count) sequences cycled, \(lengths.reduce(0, +)) steps "
              + "(mean \(format(Double(lengths.reduce(0, +)) / Double(lengths.count))) per sequence)")
        print("   FLOPs per step: forward \(Int(flops.forwardStep)), backward \(Int(flops.backwardStep)), "
              + "optimiser \(Int(flops.optimizerPerParameter)) × \(parameters) per update")
        var training: [JSONValue] = []
        for run in settings.runs {
            let f = measureTraining(workload, run: run, flops: flops, settings: settings)
            print("   train batch \(run.batch), \(run.threads) thread\(run.threads == 1 ? "" : "s"): "
                  + "\(format(f.sequencesPerSecond)) sequences/s  (\(format(f.gflops, 2)) GFLOP/s; "
                  + "runs \(f.allRates.map { format($0) }.joined(separator: ", ")); CPU share \(percent(f.cpuShare)), waited for a CPU \(percent(f.runQueueWaitShare)); "
                  + "\(format(f.allocationsPerUpdate, 2)) \(AllocationCounter.unit) per update)")
            training.append(f.json)
        }
        let inference = settings.measureStep ? measureInference(workload, flops: flops, settings: settings)
            : InferenceFigure.skipped
        if settings.measureStep {
            print("   inference step (Swift InferenceStream.step): median \(format(inference.medianMicroseconds, 2)) µs, "
                  + "p99 \(format(inference.p99Microseconds, 2)) µs  (\(format(inference.gflops, 2)) GFLOP/s; "
                  + "CPU share \(percent(inference.cpuShare)), waited for a CPU \(percent(inference.runQueueWaitShare)); "
                  + "\(format(inference.allocationsPerStep, 3)) \(AllocationCounter.unit) per step)")
        }
        let peak = peakResidentMiB()
        print("   peak RSS so far: \(format(peak)) MiB")
        configsJSON.append(.object([
            ("key", .string(key)), ("preset", .string(presetName)), ("model", config.json),
            ("parameters", .number(Double(parameters))),
            ("learning_rate", .number(workload.preset.optimizer.learningRate)),
            ("lengths", .array(lengths.map { .number(Double($0)) })),
            ("flops_forward_step", .number(flops.forwardStep)), ("flops_backward_step", .number(flops.backwardStep)),
            ("training", .array(training)),
            ("inference", settings.measureStep ? inference.json : .null),
            ("peak_rss_mib", .number(peak)),
        ]))
    }
    if let path = settings.jsonPath {
        let document = JSONValue.object([
            ("repeats", .number(Double(settings.repeats))),
            ("allocation_counts_exact", .bool(AllocationCounter.exact)),
            ("clock", .string(clockDescription)),
            ("configs", .array(configsJSON)),
        ])
        do {
            try writeFileAtomically(atPath: path, bytes: Array((document.serialized(pretty: true) + "\n").utf8))
        } catch {
            print("ntm-bench: cannot write \(path): \(error)")
            exit(1)
        }
    }
}
