import NTM

/// Training throughput of one configuration at one batch size and thread count.
struct TrainingFigure {
    var run: TrainingRun
    /// The median over the repeats.
    var sequencesPerSecond: Double
    var allRates: [Double]
    /// Wall and CPU time of each repeat, in the order of `allRates`.
    var spans: [TimedSpan]
    var gflops: Double
    var allocationsPerUpdate: Double
    var updatesCounted: Int

    var cpuShare: Double { cpuShareOfSpans(spans, threads: run.threads) }
    var runQueueWaitShare: Double? { runQueueWaitShareOfSpans(spans, threads: run.threads) }

    var json: JSONValue {
        .object([
            ("batch", .number(Double(run.batch))), ("threads", .number(Double(run.threads))),
            ("sequences_per_second", .number(sequencesPerSecond)), ("runs", .array(allRates.map(JSONValue.number))),
            ("wall_seconds", .array(spans.map { .number($0.wallSeconds) })),
            ("cpu_seconds", .array(spans.map { .number($0.cpuSeconds) })),
            ("cpu_share", .number(cpuShare)),
            ("runqueue_wait_share", runQueueWaitShare.map(JSONValue.number) ?? .null),
            ("gflops", .number(gflops)), ("allocations_per_update", .number(allocationsPerUpdate)),
            ("updates_counted", .number(Double(updatesCounted))),
        ])
    }
}

/// Trains on the workload's pool in whole units (the fewest updates that use
/// every sequence equally often) for at least `settings.seconds` per repeat.
func measureTraining(_ w: Workload, run: TrainingRun, flops: FlopCount, settings: BenchSettings) -> TrainingFigure {
    let batch = run.batch
    let network = Network<Float>(config: w.preset.model, seed: 1)
    let trainer = Trainer(network: network, optimizer: w.preset.optimizer, threads: run.threads, dataSeed: 2)
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
    let units = max(1, Int((settings.seconds / unitTime).rounded(.up)))

    // Allocations over one unit, after warm-up.
    let before = AllocationCounter.reading()
    runUnit()
    let after = AllocationCounter.reading()
    let allocationsPerUpdate = Double(after - before) / Double(updatesPerUnit)

    var rates: [Double] = [], spans: [TimedSpan] = []
    for _ in 0..<settings.repeats {
        let span = TimedSpan.measure { for _ in 0..<units { runUnit() } }
        spans.append(span)
        rates.append(Double(units * sequencesPerUnit) / span.wallSeconds)
    }
    let rate = median(rates)
    let gflops = rate / Double(sequencesPerUnit) * flopsPerUnit * 1e-9
    return TrainingFigure(run: run, sequencesPerSecond: rate, allRates: rates, spans: spans, gflops: gflops,
                          allocationsPerUpdate: allocationsPerUpdate, updatesCounted: updatesPerUnit)
}
