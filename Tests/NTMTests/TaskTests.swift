import XCTest
@testable import NTM

/// The data of the five experiments (paper §4): shapes, channel contents,
/// masks, and the statistics the experiments rely on.
final class TaskTests: XCTestCase {

    // MARK: helpers

    private func assertBits(_ values: [Float], file: StaticString = #filePath, line: UInt = #line) {
        for v in values { XCTAssert(v == 0 || v == 1, "not a bit: \(v)", file: file, line: line) }
    }

    private func inputRow(_ seq: TaskSequence, _ step: Int) -> [Float] {
        Array(seq.inputs[step * seq.inputSize ..< (step + 1) * seq.inputSize])
    }

    private func targetRow(_ seq: TaskSequence, _ step: Int) -> [Float] {
        Array(seq.targets[step * seq.outputSize ..< (step + 1) * seq.outputSize])
    }

    private func assertConsistentShape(_ seq: TaskSequence, _ task: any SequenceTask,
                                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(seq.inputSize, task.inputSize, file: file, line: line)
        XCTAssertEqual(seq.outputSize, task.outputSize, file: file, line: line)
        XCTAssertEqual(seq.inputs.count, seq.length * seq.inputSize, file: file, line: line)
        XCTAssertEqual(seq.targets.count, seq.length * seq.outputSize, file: file, line: line)
        XCTAssertEqual(seq.mask.count, seq.length, file: file, line: line)
        XCTAssertLessThanOrEqual(seq.length, task.maxSequenceLength, file: file, line: line)
        for m in seq.mask { XCTAssert(m == 0 || m == 1, file: file, line: line) }
    }

    // MARK: copy

    func testCopyShapesAndMask() {
        let task = CopyTask(width: 8, minLength: 1, maxLength: 20)
        XCTAssertEqual(task.inputSize, 9)
        XCTAssertEqual(task.outputSize, 8)
        XCTAssertEqual(task.maxSequenceLength, 41)
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<50 {
            let seq = task.sample(using: &rng)
            assertConsistentShape(seq, task)
            let L = (seq.length - 1) / 2
            XCTAssertEqual(seq.length, 2 * L + 1)
            XCTAssert((1...20).contains(L))
            assertBits(seq.inputs)
            assertBits(seq.targets)
            for t in 0..<seq.length {
                XCTAssertEqual(seq.mask[t], t > L ? 1 : 0)
                XCTAssertEqual(seq[input: t, 8], t == L ? 1 : 0, "delimiter only at step L")
                if t >= L { XCTAssertEqual(Array(inputRow(seq, t)[0..<8]), [Float](repeating: 0, count: 8)) }
                if t <= L { XCTAssertEqual(targetRow(seq, t), [Float](repeating: 0, count: 8)) }
                else { XCTAssertEqual(targetRow(seq, t), Array(inputRow(seq, t - L - 1)[0..<8])) }
            }
        }
    }

    // MARK: repeat copy

    func testRepeatCopyLayout() {
        let task = RepeatCopyTask()
        XCTAssertEqual(task.inputSize, 10)
        XCTAssertEqual(task.outputSize, 9)
        XCTAssertEqual(task.maxSequenceLength, 10 + 1 + 100 + 1)
        var rng = SeededGenerator(seed: 2)
        let seq = task.sample(length: 3, repeats: 4, using: &rng)
        assertConsistentShape(seq, task)
        XCTAssertEqual(seq.length, 3 + 1 + 12 + 1)
        let zeros8 = [Float](repeating: 0, count: 8)
        for t in 0..<seq.length {
            let input = inputRow(seq, t), target = targetRow(seq, t)
            // Inputs: data on 0..<3, delimiter and count on 3, nothing after.
            if t < 3 {
                assertBits(Array(input[0..<8]))
                XCTAssertEqual(input[8], 0); XCTAssertEqual(input[9], 0)
            } else if t == 3 {
                XCTAssertEqual(Array(input[0..<8]), zeros8)
                XCTAssertEqual(input[8], 1)
                XCTAssertEqual(input[9], task.normalisedRepeatCount(4))
            } else {
                XCTAssertEqual(input, [Float](repeating: 0, count: 10))
            }
            // Targets: the data repeated 4 times on 4..<16, end marker at 16.
            if (4..<16).contains(t) {
                XCTAssertEqual(Array(target[0..<8]), Array(inputRow(seq, (t - 4) % 3)[0..<8]))
                XCTAssertEqual(target[8], 0)
            } else if t == 16 {
                XCTAssertEqual(target, zeros8 + [1])
            } else {
                XCTAssertEqual(target, zeros8 + [0])
            }
            XCTAssertEqual(seq.mask[t], t >= 4 ? 1 : 0)
        }
    }

    func testRepeatCopyRandomSamples() {
        let task = RepeatCopyTask()
        var rng = SeededGenerator(seed: 3)
        var seenRepeats = Set<Int>()
        for _ in 0..<200 {
            let seq = task.sample(using: &rng)
            assertConsistentShape(seq, task)
            // The delimiter step gives L; the end marker gives R.
            let L = (0..<seq.length).first { seq[input: $0, 8] == 1 }!
            let end = (0..<seq.length).first { seq[target: $0, 8] == 1 }!
            XCTAssertEqual(end, seq.length - 1)
            XCTAssertEqual((end - L - 1) % L, 0)
            let R = (end - L - 1) / L
            XCTAssert((1...10).contains(L) && (1...10).contains(R))
            seenRepeats.insert(R)
            XCTAssertEqual(seq[input: L, 9], task.normalisedRepeatCount(R))
            XCTAssertEqual(seq.maskedSteps, R * L + 1)
            assertBits(seq.targets)
        }
        XCTAssertEqual(seenRepeats, Set(1...10))
    }

    func testRepeatCountNormalisation() {
        for (a, b) in [(1, 10), (1, 2), (3, 17)] {
            let task = RepeatCopyTask(minRepeats: a, maxRepeats: b)
            let values = (a...b).map { Double(task.normalisedRepeatCount($0)) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-6, "range \(a)...\(b)")
            XCTAssertEqual(variance, 1, accuracy: 1e-5, "range \(a)...\(b)")
        }
        // 1...10: mean 5.5, variance 99/12 = 8.25.
        let task = RepeatCopyTask()
        XCTAssertEqual(Double(task.normalisedRepeatCount(10)), 4.5 / 8.25.squareRoot(), accuracy: 1e-6)
        // Beyond the training range the training normalisation still applies.
        XCTAssertEqual(Double(task.normalisedRepeatCount(20)), 14.5 / 8.25.squareRoot(), accuracy: 1e-6)
        var rng = SeededGenerator(seed: 4)
        let long = task.sample(length: 10, repeats: 20, using: &rng)
        XCTAssertEqual(long.length, 10 + 1 + 200 + 1)
        XCTAssertEqual(long[input: 10, 9], task.normalisedRepeatCount(20))
        // A single training count: centred only, no division by zero.
        let single = RepeatCopyTask(minRepeats: 5, maxRepeats: 5)
        XCTAssertEqual(single.normalisedRepeatCount(5), 0)
        XCTAssertEqual(single.normalisedRepeatCount(7), 2)
    }

    func testEndMarkerIsReadApartFromTheData() {
        let task = RepeatCopyTask(width: 3)
        var rng = SeededGenerator(seed: 5)
        let seq = task.sample(length: 2, repeats: 3, using: &rng)
        let marker = 2 + 1 + 3 * 2                      // L + 1 + R·L
        // A perfect answer: the targets themselves, as probabilities.
        var outputs = seq.targets.map { $0 > 0.5 ? Float(0.9) : Float(0.1) }
        XCTAssertEqual(task.readEndMarker(outputs: outputs, of: seq),
                       .init(dataBitErrors: 0, markerBitErrors: 0, firstMarkerOffset: 0))
        // The marker two steps early and again on time; one data bit flipped.
        outputs[(marker - 2) * 4 + 3] = 0.8
        outputs[4 * 4 + 1] = 1 - outputs[4 * 4 + 1]
        XCTAssertEqual(task.readEndMarker(outputs: outputs, of: seq),
                       .init(dataBitErrors: 1, markerBitErrors: 1, firstMarkerOffset: -2))
        // Never raised: the missing marker is one marker-bit error.
        outputs[(marker - 2) * 4 + 3] = 0.2
        outputs[marker * 4 + 3] = 0.4
        XCTAssertEqual(task.readEndMarker(outputs: outputs, of: seq),
                       .init(dataBitErrors: 1, markerBitErrors: 1, firstMarkerOffset: nil))
        // A marker raised before the answer starts (not scored) does not count.
        outputs[1 * 4 + 3] = 0.9
        XCTAssertEqual(task.readEndMarker(outputs: outputs, of: seq).firstMarkerOffset, nil)
    }

    // MARK: associative recall

    func testAssociativeRecallLayout() {
        let task = AssociativeRecallTask()
        XCTAssertEqual(task.inputSize, 8)
        XCTAssertEqual(task.outputSize, 6)
        XCTAssertEqual(task.maxSequenceLength, 6 * 4 + 2 + 6)
        var rng = SeededGenerator(seed: 5)
        var seenQueries = Set<Int>()
        for n in [2, 3, 6, 12] {
            for _ in 0..<40 {
                let (seq, q) = task.sampleWithQuery(items: n, using: &rng)
                XCTAssertEqual(seq.length, n * 4 + 2 + 6)
                XCTAssertEqual(seq.inputSize, 8)
                XCTAssertEqual(seq.outputSize, 6)
                XCTAssert((0...(n - 2)).contains(q), "never the last item")
                if n == 6 { seenQueries.insert(q) }
                assertBits(seq.inputs)
                assertBits(seq.targets)
                let queryStart = n * 4
                for t in 0..<seq.length {
                    // Item delimiters before each item, query delimiters around the query.
                    let isItemDelimiter = t < queryStart && t % 4 == 0
                    XCTAssertEqual(seq[input: t, 6], isItemDelimiter ? 1 : 0)
                    let isQueryDelimiter = t == queryStart || t == queryStart + 4
                    XCTAssertEqual(seq[input: t, 7], isQueryDelimiter ? 1 : 0)
                    if isItemDelimiter || isQueryDelimiter || t > queryStart + 4 {
                        XCTAssertEqual(Array(inputRow(seq, t)[0..<6]), [Float](repeating: 0, count: 6))
                    }
                    let isAnswer = t > queryStart + 4
                    XCTAssertEqual(seq.mask[t], isAnswer ? 1 : 0)
                    if !isAnswer { XCTAssertEqual(targetRow(seq, t), [Float](repeating: 0, count: 6)) }
                }
                // The query is item q, and the target is item q + 1.
                for step in 0..<3 {
                    let query = Array(inputRow(seq, queryStart + 1 + step)[0..<6])
                    XCTAssertEqual(query, Array(inputRow(seq, q * 4 + 1 + step)[0..<6]))
                    XCTAssertEqual(targetRow(seq, queryStart + 5 + step),
                                   Array(inputRow(seq, (q + 1) * 4 + 1 + step)[0..<6]))
                }
            }
        }
        XCTAssertEqual(seenQueries, Set(0...4))
    }

    func testAssociativeRecallQueryFoundByContent() {
        // Without being told q: find the query among the items by content,
        // and check the target is the item that followed it.
        let task = AssociativeRecallTask()
        var rng = SeededGenerator(seed: 6)
        for _ in 0..<100 {
            let seq = task.sample(using: &rng)
            let n = (seq.length - 2 - 6) / 4
            XCTAssert((2...6).contains(n))
            let queryStart = n * 4
            func item(_ start: Int) -> [Float] {
                (0..<3).flatMap { Array(inputRow(seq, start + $0)[0..<6]) }
            }
            let query = item(queryStart + 1)
            let matches = (0..<n).filter { item($0 * 4 + 1) == query }
            XCTAssertFalse(matches.isEmpty, "the query occurs earlier")
            XCTAssertFalse(matches == [n - 1], "the query is never only the last item")
            let answer = (0..<3).flatMap { targetRow(seq, queryStart + 5 + $0) }
            XCTAssert(matches.contains { $0 < n - 1 && item(($0 + 1) * 4 + 1) == answer })
        }
    }

    // MARK: dynamic N-grams

    func testDynamicNGramShapes() {
        let task = DynamicNGramTask()
        XCTAssertEqual(task.inputSize, 1)
        XCTAssertEqual(task.outputSize, 1)
        XCTAssertEqual(task.maxSequenceLength, 200)
        XCTAssertEqual(task.contextCount, 32)
        var rng = SeededGenerator(seed: 7)
        let (seq, table) = task.sampleWithTable(using: &rng)
        assertConsistentShape(seq, task)
        XCTAssertEqual(seq.length, 200)
        XCTAssertEqual(table.count, 32)
        for p in table { XCTAssert(p >= 0 && p <= 1) }
        assertBits(seq.inputs)
        assertBits(seq.targets)
        XCTAssertEqual(seq.maskedSteps, 200)
        // The target of step t is the input of step t + 1.
        for t in 0..<199 { XCTAssertEqual(seq[target: t, 0], seq[input: t + 1, 0]) }
    }

    func testDynamicNGramFollowsTable() {
        // A long sequence of order 3: the empirical P(1 | context) matches
        // the table, with the context the previous two bits, oldest first.
        let task = DynamicNGramTask(order: 3, length: 40_000)
        var rng = SeededGenerator(seed: 8)
        let (seq, table) = task.sampleWithTable(using: &rng)
        var ones = [0, 0, 0, 0], totals = [0, 0, 0, 0]
        for t in 1..<seq.length {
            let context = Int(seq[input: t - 1, 0]) * 2 + Int(seq[input: t, 0])
            totals[context] += 1
            ones[context] += Int(seq[target: t, 0])
        }
        for c in 0..<4 where totals[c] > 2000 {
            XCTAssertEqual(Double(ones[c]) / Double(totals[c]), table[c], accuracy: 0.04, "context \(c)")
        }
        XCTAssertGreaterThan(totals.filter { $0 > 2000 }.count, 0)
    }

    func testBetaHalfHalfMoments() {
        var rng = SeededGenerator(seed: 9)
        let n = 200_000
        var sum = 0.0, sumSquares = 0.0
        for _ in 0..<n {
            let x = DynamicNGramTask.betaHalfHalf(using: &rng)
            XCTAssert(x >= 0 && x <= 1)
            sum += x; sumSquares += x * x
        }
        let mean = sum / Double(n)
        let variance = sumSquares / Double(n) - mean * mean
        XCTAssertEqual(mean, 0.5, accuracy: 0.005)
        XCTAssertEqual(variance, 0.125, accuracy: 0.002)
    }

    func testOptimalEstimatorByHand() {
        // Order 3 (context = previous 2 bits). Bits b0…b9:
        //   0 1 1 0 1 1 1 0 1 1
        // step t predicts b(t+1) from context (b(t−1), b(t)):
        //   t=0: context incomplete              → ½          target 1
        //   t=1: ctx 01, N1=0 N0=0 → ½/1   = 0.5  target 1 → ctx 01: N1=1
        //   t=2: ctx 11, N1=0 N0=0 → 0.5          target 0 → ctx 11: N0=1
        //   t=3: ctx 10, N1=0 N0=0 → 0.5          target 1 → ctx 10: N1=1
        //   t=4: ctx 01, N1=1 N0=0 → 1.5/2 = 0.75 target 1 → ctx 01: N1=2
        //   t=5: ctx 11, N1=0 N0=1 → 0.5/2 = 0.25 target 1 → ctx 11: N1=1
        //   t=6: ctx 11, N1=1 N0=1 → 1.5/3 = 0.5  target 0 → ctx 11: N0=2
        //   t=7: ctx 10, N1=1 N0=0 → 1.5/2 = 0.75 target 1 → ctx 10: N1=2
        //   t=8: ctx 01, N1=2 N0=0 → 2.5/3        target 1
        let bits: [Float] = [0, 1, 1, 0, 1, 1, 1, 0, 1, 1]
        var seq = TaskSequence(length: 9, inputSize: 1, outputSize: 1)
        for t in 0..<9 {
            seq[input: t, 0] = bits[t]
            seq[target: t, 0] = bits[t + 1]
            seq.mask[t] = 1
        }
        let expected = [0.5, 0.5, 0.5, 0.5, 0.75, 0.25, 0.5, 0.75, 2.5 / 3]
        let predictions = DynamicNGramTask.optimalPredictions(of: seq, order: 3)
        XCTAssertEqual(predictions.count, 9)
        for t in 0..<9 { XCTAssertEqual(predictions[t], expected[t], accuracy: 1e-12, "step \(t)") }

        // Cost: −log₂ of the probability given to each actual target.
        let actual = [0.5, 0.5, 0.5, 0.5, 0.75, 0.25, 0.5, 0.75, 2.5 / 3]
        let expectedCost = actual.map { -log2($0) }.reduce(0, +)
        XCTAssertEqual(DynamicNGramTask.optimalCost(of: seq, order: 3), expectedCost, accuracy: 1e-12)

        // Unmasked steps do not count.
        seq.mask[5] = 0
        XCTAssertEqual(DynamicNGramTask.optimalCost(of: seq, order: 3), expectedCost - 2, accuracy: 1e-12)

        // Order 6: the first four steps have no complete context.
        let p6 = DynamicNGramTask.optimalPredictions(of: seq, order: 6)
        XCTAssertEqual(Array(p6[0..<4]), [0.5, 0.5, 0.5, 0.5])
        XCTAssertEqual(p6[4], 0.5)  // first full context, no counts yet
    }

    func testOptimalCostMatchesPaperScale() {
        // The paper's optimum reads ≈ 131–132 bits per 200-bit sequence; this
        // sampler's is 132.85 (100 000 sequences; sd 36 per sequence, so the
        // mean of 1000 has a standard error of ≈ 1.1).
        let task = DynamicNGramTask()
        var rng = SeededGenerator(seed: 10)
        let count = 1000
        var total = 0.0
        for _ in 0..<count {
            total += DynamicNGramTask.optimalCost(of: task.sample(using: &rng), order: 6)
        }
        let mean = total / Double(count)
        XCTAssertEqual(mean, 132.9, accuracy: 3.5, "mean optimal cost \(mean)")
    }

    func testOptimalCostIsMarginalLikelihood() {
        // By the chain rule the sequential cost equals −log₂ of the marginal
        // likelihood: the unseeded first steps at 1 bit each, and for every
        // context B(N1 + ½, N0 + ½) / B(½, ½) with its final counts.
        for order in [2, 4, 6] {
            let task = DynamicNGramTask(order: order, length: 300)
            var rng = SeededGenerator(seed: UInt64(20 + order))
            for _ in 0..<20 {
                let seq = task.sample(using: &rng)
                let bits = [Int(seq[input: 0, 0])] + (0..<seq.length).map { Int(seq[target: $0, 0]) }
                var ones = [Double](repeating: 0, count: 1 << (order - 1)), zeros = ones
                for j in (order - 1)..<bits.count {
                    let context = bits[(j - order + 1)..<j].reduce(0) { $0 * 2 + $1 }
                    if bits[j] == 1 { ones[context] += 1 } else { zeros[context] += 1 }
                }
                func logBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }
                var expected = Double(order - 2)
                for c in 0..<ones.count {
                    expected -= (logBeta(ones[c] + 0.5, zeros[c] + 0.5) - logBeta(0.5, 0.5)) / log(2.0)
                }
                XCTAssertEqual(DynamicNGramTask.optimalCost(of: seq, order: order), expected, accuracy: 1e-9)
            }
        }
    }

    // MARK: priority sort

    func testPrioritySort() {
        let task = PrioritySortTask()
        XCTAssertEqual(task.inputSize, 10)
        XCTAssertEqual(task.outputSize, 8)
        XCTAssertEqual(task.maxSequenceLength, 37)
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<50 {
            let seq = task.sample(using: &rng)
            assertConsistentShape(seq, task)
            XCTAssertEqual(seq.length, 37)
            assertBits(seq.targets)
            for t in 0..<37 {
                let input = inputRow(seq, t)
                if t < 20 {
                    assertBits(Array(input[0..<8]))
                    XCTAssert(input[8] >= -1 && input[8] <= 1)
                    XCTAssertEqual(input[9], 0)
                } else if t == 20 {
                    XCTAssertEqual(input, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
                } else {
                    XCTAssertEqual(input, [Float](repeating: 0, count: 10))
                }
                XCTAssertEqual(seq.mask[t], t > 20 ? 1 : 0)
                if t <= 20 { XCTAssertEqual(targetRow(seq, t), [Float](repeating: 0, count: 8)) }
            }
            // Top 16 by priority, descending, computed independently.
            let priorities = (0..<20).map { seq[input: $0, 8] }
            let threshold = priorities.sorted(by: >)[15]
            var previous = Float.infinity
            var used = Set<Int>()
            for rank in 0..<16 {
                let target = targetRow(seq, 21 + rank)
                // The highest unused input with this content and priority ≤ previous.
                let candidates = (0..<20).filter {
                    !used.contains($0) && Array(inputRow(seq, $0)[0..<8]) == target
                        && priorities[$0] <= previous && priorities[$0] >= threshold
                }
                guard let source = candidates.max(by: { priorities[$0] < priorities[$1] }) else {
                    XCTFail("rank \(rank) is not one of the top-16 vectors in order"); break
                }
                used.insert(source)
                previous = priorities[source]
            }
            // And the priorities of the emitted ranks are exactly the top 16.
            XCTAssertEqual(used.map { priorities[$0] }.sorted(by: >), Array(priorities.sorted(by: >)[0..<16]))
        }
    }

    func testPrioritySortPriorityRange() {
        let task = PrioritySortTask()
        var rng = SeededGenerator(seed: 12)
        var low: Float = 1, high: Float = -1
        for _ in 0..<200 {
            let seq = task.sample(using: &rng)
            for t in 0..<20 { low = min(low, seq[input: t, 8]); high = max(high, seq[input: t, 8]) }
        }
        XCTAssertLessThan(low, -0.99)
        XCTAssertGreaterThan(high, 0.99)
    }

    // MARK: determinism

    func testSameSeedSameSequences() {
        let tasks: [any SequenceTask] = [CopyTask(), RepeatCopyTask(), AssociativeRecallTask(),
                                         DynamicNGramTask(), PrioritySortTask()]
        for task in tasks {
            var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
            let first = task.batch(5, using: &a)
            XCTAssertEqual(first, task.batch(5, using: &b), "\(type(of: task))")
            XCTAssertNotEqual(first, task.batch(5, using: &c), "\(type(of: task))")
        }
    }

    // MARK: tasks by name

    func testCatalogMakesEveryTaskWithDefaults() throws {
        XCTAssertEqual(TaskDescriptor.names,
                       ["copy", "repeat-copy", "associative-recall", "dynamic-ngrams", "priority-sort"])
        for name in TaskDescriptor.names {
            let defaults = try TaskDescriptor.named(name).defaultOptions
            XCTAssertEqual(Set(defaults.keys), Set(try TaskDescriptor.named(name).options.map(\.key)))
            let made = try TaskDescriptor.named(name).make(options: [:])
            let explicit = try TaskDescriptor.named(name).make(options: defaults)
            XCTAssertEqual(made.inputSize, explicit.inputSize)
            XCTAssertEqual(made.maxSequenceLength, explicit.maxSequenceLength)
        }
        XCTAssertEqual(try TaskDescriptor.named("repeat-copy").defaultOptions,
                       ["width": 8, "min_length": 1, "max_length": 10, "min_repeats": 1, "max_repeats": 10])
        let copy = try XCTUnwrap(try TaskDescriptor.named("copy").make(options: [:]) as? CopyTask)
        XCTAssertEqual([copy.width, copy.minLength, copy.maxLength], [8, 1, 20])
        let ngram = try XCTUnwrap(try TaskDescriptor.named("dynamic-ngrams").make(options: [:]) as? DynamicNGramTask)
        XCTAssertEqual([ngram.order, ngram.length], [6, 200])
        let sort = try XCTUnwrap(try TaskDescriptor.named("priority-sort").make(options: [:]) as? PrioritySortTask)
        XCTAssertEqual([sort.width, sort.inputCount, sort.outputCount], [8, 20, 16])
        let recall = try XCTUnwrap(try TaskDescriptor.named("associative-recall").make(options: [:])
                                   as? AssociativeRecallTask)
        XCTAssertEqual([recall.width, recall.itemLength, recall.minItems, recall.maxItems], [6, 3, 2, 6])
    }

    /// The facts that lived in per-task switches before the descriptors, value for value.
    func testDescriptorsKeepEveryTasksFacts() throws {
        XCTAssertEqual(TaskDescriptor.all.map(\.name), TaskKind.allCases.map(\.rawValue))
        for kind in TaskKind.allCases { XCTAssertEqual(kind.descriptor.kind, kind) }
        let criteria = TaskDescriptor.all.map { [$0.convergence.measure.rawValue, "\($0.convergence.threshold)",
                                                 "\($0.convergence.window)"] }
        XCTAssertEqual(criteria, [["bit-errors", "0.01", "1000"], ["bit-errors", "0.01", "1000"],
                                  ["bit-errors", "0.01", "1000"], ["excess-cost", "2.0", "1000"],
                                  ["bit-errors", "1.0", "1000"]])
        XCTAssertEqual(TaskDescriptor.all.map { $0.testSizes.map(\.description) },
                       [["10", "20", "30", "50", "120"], ["10x10", "10x20", "20x10"],
                        ["6", "8", "10", "12", "15", "20"], ["200"], ["20x16"]])
        XCTAssertEqual(TaskDescriptor.all.map { $0.options.map(\.range) },
                       [[1...100_000, 1...100_000, 1...100_000], Array(repeating: 1...100_000, count: 5),
                        [1...100_000, 1...100_000, 2...100_000, 2...100_000], [2...16, 1...100_000],
                        [1...100_000, 1...100_000, 1...100_000]])
        XCTAssertEqual(TaskDescriptor.all.map(\.paperNetworks.feedforwardMemory),
                       [.constant, .constant, .constant, .learned, .learned])
    }

    /// The sizes each task gives the held-out check and the pictures,
    /// as they were when `GeneralisationTests` switched over task types.
    func testSizedTasksKeepTheirSizes() throws {
        let tasks = try TaskDescriptor.all.map { try $0.make() }
        XCTAssertEqual(tasks.map(\.largestTrainingSize.description), ["20", "10x10", "6", "200", "20x16"])
        XCTAssertEqual(tasks.map(\.pictureSize.description), ["10", "5x3", "4", "60", "20x16"])
        let short = try TaskDescriptor.named("copy").make(options: ["max_length": 5])
        XCTAssertEqual(short.pictureSize, TestSize(5))
        XCTAssertEqual(tasks.map { $0.isInTrainingRange(TestSize(20)) }, [true, false, false, false, true])
        XCTAssertEqual(try tasks.map { try GeneralisationTests.steps($0.largestTrainingSize, of: $0) },
                       tasks.map(\.maxSequenceLength))
        XCTAssertEqual(try GeneralisationTests.steps(TestSize(40), of: tasks[4]), 40 + 1 + 32)
        XCTAssertThrowsError(try GeneralisationTests.steps(TestSize(8, 2), of: tasks[2]))
    }

    func testCatalogAppliesOptions() throws {
        let task = try TaskDescriptor.repeatCopy.make(options: ["width": 4, "max_length": 5, "max_repeats": 3])
        let repeatCopy = try XCTUnwrap(task as? RepeatCopyTask)
        XCTAssertEqual([repeatCopy.width, repeatCopy.minLength, repeatCopy.maxLength,
                        repeatCopy.minRepeats, repeatCopy.maxRepeats], [4, 1, 5, 1, 3])
        XCTAssertEqual(task.inputSize, 6)
    }

    private func catalogError(_ name: String, _ options: [String: Double]) -> String? {
        do {
            _ = try TaskDescriptor.named(name).make(options: options)
            return nil
        } catch {
            return error.description
        }
    }

    func testCatalogErrors() {
        func check(_ name: String, _ options: [String: Double], mentions words: [String],
                   line: UInt = #line) {
            guard let message = catalogError(name, options) else {
                return XCTFail("expected an error for \(name) \(options)", line: line)
            }
            for word in words {
                XCTAssert(message.contains(word), "'\(message)' should mention '\(word)'", line: line)
            }
        }
        check("sorting", [:], mentions: ["unknown task", "sorting", "copy", "priority-sort"])
        check("copy", ["lenght": 3], mentions: ["copy", "unknown option", "lenght", "max_length"])
        check("copy", ["width": 2.5], mentions: ["copy", "width", "integer", "2.5"])
        check("copy", ["width": .nan], mentions: ["copy", "width", "integer"])
        check("copy", ["width": .infinity], mentions: ["width", "integer"])
        check("copy", ["width": 0], mentions: ["copy", "width", "1", "100000"])
        check("copy", ["width": -3], mentions: ["width", "-3"])
        check("copy", ["max_length": 1e300], mentions: ["max_length"])
        check("copy", ["min_length": 5, "max_length": 3], mentions: ["copy", "min_length", "max_length"])
        check("repeat-copy", ["min_repeats": 4, "max_repeats": 2], mentions: ["repeat-copy", "min_repeats"])
        check("repeat-copy", ["min_repeats": 0], mentions: ["min_repeats"])
        check("associative-recall", ["min_items": 1], mentions: ["associative-recall", "min_items", "2"])
        check("associative-recall", ["min_items": 7], mentions: ["min_items", "max_items"])
        check("dynamic-ngrams", ["order": 1], mentions: ["dynamic-ngrams", "order", "2", "16"])
        check("dynamic-ngrams", ["order": 17], mentions: ["order", "16", "17"])
        check("priority-sort", ["output_count": 21], mentions: ["priority-sort", "output_count", "input_count"])
        check("copy", ["width": 100_001], mentions: ["width", "100000"])
        // Each size allowed on its own, together too large to sample.
        check("repeat-copy", ["max_length": 100_000, "max_repeats": 100_000], mentions: ["repeat-copy", "limit"])
        XCTAssertThrowsError(try TaskDescriptor.named("nope").defaultOptions)
        XCTAssertNil(catalogError("dynamic-ngrams", ["order": 16, "length": 100_000]))
        XCTAssertNil(catalogError("priority-sort", ["input_count": 16, "output_count": 16]))
    }
}
