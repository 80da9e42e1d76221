// `ntm-bench --trace-allocations` (needs the preloaded interposer).

import NTM
#if canImport(Glibc)
import Glibc
#endif

/// `ntm-bench --trace-allocations`: the call stack of every heap allocation
/// in one steady-state update and one step, to find the allocation that a
/// nonzero count in the benchmark reports.
func printAllocationTraces(configs: [String]) {
    guard let trace = AllocationCounter.trace else {
        print("ntm-bench: --trace-allocations needs LD_PRELOAD=libntm_alloc_count.so (benchmarks/alloc_count.c)")
        exit(2)
    }
    trace(0)   // loads what backtrace() needs before anything is counted
    let selected = configs.isEmpty ? benchConfigs.map(\.key) : configs
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
