import XCTest
@testable import NTM

/// `BatchEvaluator` against `Evaluator`: every sequence's result the same
/// bits as its own evaluation, whatever the number of workers, and padded
/// outputs zero past each sequence's length.
final class BatchEvaluatorTests: XCTestCase {
    /// A small untrained NTM (its outputs are far from 0 and 1, so every
    /// bit of them matters) and copy sequences of different lengths.
    private func fixture() -> (network: Network<Float>, sequences: [TaskSequence]) {
        let config = ModelConfig(inputSize: 9, outputSize: 8, controller: .lstm, controllerLayers: [24],
                                 memoryRows: 16, memoryWidth: 8)
        var rng = SeededGenerator(seed: 5)
        return (Network<Float>(config: config, seed: 3), CopyTask(minLength: 1, maxLength: 8).batch(7, using: &rng))
    }

    private func assertSameBits(_ a: SequenceEvaluation, _ b: SequenceEvaluation, _ what: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.lossBits.bitPattern, b.lossBits.bitPattern, "loss, \(what)", file: file, line: line)
        XCTAssertEqual(a.bitErrors, b.bitErrors, "bit errors, \(what)", file: file, line: line)
        XCTAssertEqual(a.outputs.map(\.bitPattern), b.outputs.map(\.bitPattern), "outputs, \(what)",
                       file: file, line: line)
    }

    func testSameResultsAsSingleEvaluationsWhateverTheWorkers() {
        let (network, sequences) = fixture()
        let single = Evaluator(network: network)
        let expected = sequences.map { single.evaluate($0) }
        XCTAssertGreaterThan(Set(sequences.map(\.length)).count, 2, "the lengths must differ")
        for workers in 1...3 {
            let evaluation = BatchEvaluator(network: network, workers: workers).evaluate(sequences, outputs: .kept)
            XCTAssertEqual(evaluation.sequences.count, sequences.count)
            for (i, result) in evaluation.sequences.enumerated() {
                assertSameBits(result, expected[i], "sequence \(i), \(workers) workers")
            }
            // The sums are taken in the batch's order.
            XCTAssertEqual(evaluation.lossBits.bitPattern, expected.reduce(0) { $0 + $1.lossBits }.bitPattern)
            XCTAssertEqual(evaluation.bitErrors, expected.reduce(0) { $0 + $1.bitErrors })
            XCTAssertEqual(evaluation.errorFreeSequences, expected.filter { $0.bitErrors == 0 }.count)
        }
    }

    func testDroppedOutputsChangeNothingElse() {
        let (network, sequences) = fixture()
        let evaluator = BatchEvaluator(network: network, workers: 2)
        let kept = evaluator.evaluate(sequences, outputs: .kept)
        let dropped = evaluator.evaluate(sequences)
        for (k, d) in zip(kept.sequences, dropped.sequences) {
            XCTAssertTrue(d.outputs.isEmpty)
            XCTAssertEqual(k.lossBits.bitPattern, d.lossBits.bitPattern)
            XCTAssertEqual(k.bitErrors, d.bitErrors)
        }
    }

    /// A padded batch read in place, its outputs written to a padded buffer:
    /// each row holds the sequence's outputs, then zeros to the max length
    /// (the buffer starts full of NaN, so a value left unwritten shows).
    func testPaddedOutputsAreZeroPastEachSequencesLength() {
        let (network, sequences) = fixture()
        let expected = sequences.map { Evaluator(network: network).evaluate($0) }
        let n = network.config.inputSize, m = network.config.outputSize
        let maxLength = sequences.map(\.length).max()! + 2, count = sequences.count
        // Past each length the inputs hold garbage that must never be read.
        var inputs = [Float](repeating: .nan, count: count * maxLength * n)
        var targets = [Float](repeating: .nan, count: count * maxLength * m)
        var mask = [Float](repeating: .nan, count: count * maxLength)
        for (i, s) in sequences.enumerated() {
            inputs.replaceSubrange(i * maxLength * n ..< i * maxLength * n + s.inputs.count, with: s.inputs)
            targets.replaceSubrange(i * maxLength * m ..< i * maxLength * m + s.targets.count, with: s.targets)
            mask.replaceSubrange(i * maxLength ..< i * maxLength + s.length, with: s.mask)
        }
        let lengths = sequences.map { UInt($0.length) }
        for workers in 1...3 {
            var outputs = [Float](repeating: .nan, count: count * maxLength * m)
            let evaluator = BatchEvaluator(network: network, workers: workers)
            // The batch holds pointers: they must outlive the evaluation.
            let evaluation = inputs.withUnsafeBufferPointer { x in
                targets.withUnsafeBufferPointer { y in
                    mask.withUnsafeBufferPointer { w in
                        lengths.withUnsafeBufferPointer { l in
                            outputs.withUnsafeMutableBufferPointer { out in
                                let batch = PaddedBatch(count: count, maxLength: maxLength, inputSize: n, outputSize: m,
                                                        inputs: x.baseAddress!, targets: y.baseAddress!,
                                                        mask: w.baseAddress!, lengths: l.baseAddress!)
                                return evaluator.evaluate(.padded(batch),
                                                          outputs: .padded(out.baseAddress!, maxLength: maxLength))
                            }
                        }
                    }
                }
            }
            for (i, s) in sequences.enumerated() {
                let row = Array(outputs[i * maxLength * m ..< (i + 1) * maxLength * m])
                XCTAssertEqual(row[..<(s.length * m)].map(\.bitPattern), expected[i].outputs.map(\.bitPattern),
                               "sequence \(i), \(workers) workers")
                XCTAssertEqual(Array(row[(s.length * m)...]), [Float](repeating: 0, count: (maxLength - s.length) * m),
                               "past sequence \(i)'s length, \(workers) workers")
                XCTAssertTrue(evaluation.sequences[i].outputs.isEmpty)
                XCTAssertEqual(evaluation.sequences[i].lossBits.bitPattern, expected[i].lossBits.bitPattern)
                XCTAssertEqual(evaluation.sequences[i].bitErrors, expected[i].bitErrors)
            }
        }
    }

    func testEmptyBatch() {
        let (network, _) = fixture()
        let evaluation = BatchEvaluator(network: network, workers: 2).evaluate([TaskSequence]())
        XCTAssertTrue(evaluation.sequences.isEmpty)
        XCTAssertEqual(evaluation.lossBits, 0)
        XCTAssertEqual(evaluation.bitErrors, 0)
    }
}
