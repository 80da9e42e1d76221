import NTM

/// Step latency of one configuration, batch 1, one thread.
struct InferenceFigure {
    var medianMicroseconds: Double, p99Microseconds: Double
    /// Each repeat's median and p99.
    var allMedians: [Double], allP99: [Double]
    /// Wall and CPU time of each repeat's whole timed loop.
    var spans: [TimedSpan]
    var gflops: Double
    var allocationsPerStep: Double
    var stepsCounted: Int

    static let skipped = InferenceFigure(medianMicroseconds: .nan, p99Microseconds: .nan, allMedians: [], allP99: [],
                                         spans: [], gflops: .nan, allocationsPerStep: .nan, stepsCounted: 0)

    var cpuShare: Double { cpuShareOfSpans(spans, threads: 1) }
    var runQueueWaitShare: Double? { runQueueWaitShareOfSpans(spans, threads: 1) }

    var json: JSONValue {
        .object([
            ("median_us", .number(medianMicroseconds)), ("p99_us", .number(p99Microseconds)),
            ("medians_us", .array(allMedians.map(JSONValue.number))), ("p99s_us", .array(allP99.map(JSONValue.number))),
            ("wall_seconds", .array(spans.map { .number($0.wallSeconds) })),
            ("cpu_seconds", .array(spans.map { .number($0.cpuSeconds) })),
            ("cpu_share", .number(cpuShare)),
            ("runqueue_wait_share", runQueueWaitShare.map(JSONValue.number) ?? .null),
            ("gflops", .number(gflops)), ("allocations_per_step", .number(allocationsPerStep)),
        ])
    }
}

/// Times each of `settings.steps` InferenceStream steps on its own, cycling
/// through the workload's sequences with an untimed reset between them.
func measureInference(_ w: Workload, flops: FlopCount, settings: BenchSettings) -> InferenceFigure {
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
    let steps = settings.steps
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
    var medians: [Double] = [], p99s: [Double] = [], spans: [TimedSpan] = []
    for _ in 0..<settings.repeats {
        spans.append(TimedSpan.measure { run(steps, timed: true) })
        var sorted = UnsafeMutableBufferPointer(start: times, count: steps)
        sorted.sort()
        medians.append(Double(sorted[steps / 2]) * 1e-3)
        p99s.append(Double(sorted[min(steps - 1, steps * 99 / 100)]) * 1e-3)
    }
    let m = median(medians)
    return InferenceFigure(medianMicroseconds: m, p99Microseconds: median(p99s), allMedians: medians, allP99: p99s,
                           spans: spans, gflops: flops.forwardStep / (m * 1e-6) * 1e-9,
                           allocationsPerStep: Double(after - before) / Double(steps), stepsCounted: steps)
}
