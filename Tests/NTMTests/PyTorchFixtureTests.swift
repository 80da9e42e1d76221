import Foundation
import XCTest
@testable import NTM

/// Our forward and backward pass against an independent implementation:
/// the outputs, loss and every parameter gradient of the PyTorch reference
/// (`benchmarks/pytorch_ntm.py`, autograd in float64), committed in
/// `Fixtures/pytorch` by `benchmarks/make_pytorch_fixture.py`, so that this
/// check runs everywhere without torch. Two small networks reach the
/// corners: a two-layer feedforward controller with two read and two write
/// heads, learned initial memory and tanh adds; and a two-layer LSTM with
/// shift range 2 and random initial memory.
///
/// Tolerances, as in `benchmarks/check_reference.py` (the largest error in
/// a tensor over that tensor's largest value): float64 1e-9, where only the
/// order of additions and libm differ (we see about 1e-13 at worst), so
/// any mistake in a formula stands out by orders of magnitude; float32
/// 1e-3, working precision after dozens of steps through softmaxes and the
/// sharpening.
final class PyTorchFixtureTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pytorch")

    func testFeedforwardNetworkMatchesPyTorch() throws { try check(case: "ff-small") }

    func testLSTMNetworkMatchesPyTorch() throws { try check(case: "lstm-small") }

    func check(case name: String) throws {
        let dir = Self.fixtures.appendingPathComponent(name)
        let network = try loadModel(from: dir.appendingPathComponent("model.safetensors").path, as: Float.self).network
        let batch = try sequences(in: archive(dir.appendingPathComponent("batch.safetensors")))
        let reference = try archive(dir.appendingPathComponent("reference.safetensors"))
        XCTAssertEqual(reference.metadataValue(forKey: "dtype"), "float64")

        let values = network.parameterValues
        let double = results(network.config, values.map(Double.init), batch)
        let single = results(network.config, values, batch)
        for (ours, tolerance, label) in [(double, 1e-9, "float64"), (single, 1e-3, "float32")] {
            let outputs = try XCTUnwrap(reference["outputs"]).doubles()
            XCTAssertLessThanOrEqual(relativeError(ours.outputs, outputs, where: ours.scored), tolerance,
                                     "\(name) \(label): outputs")
            let loss = try XCTUnwrap(reference["loss"]).doubles()
            XCTAssertLessThanOrEqual(relativeError([ours.loss], loss), tolerance, "\(name) \(label): loss")
            for tensor in network.layout.tensors {
                let expected = try XCTUnwrap(reference["grad." + tensor.name], "no gradient of \(tensor.name)").doubles()
                XCTAssertEqual(expected.count, tensor.range.count, tensor.name)
                XCTAssertLessThanOrEqual(relativeError(Array(ours.gradient[tensor.range]), expected), tolerance,
                                         "\(name) \(label): gradient of \(tensor.name)")
            }
        }
        // The check has teeth: with every weight scaled by 1 + 1e-6, the
        // float64 gradient falls outside the tolerance.
        let moved = results(network.config, values.map { Double($0) * (1 + 1e-6) }, batch)
        let referenceGradient = try network.layout.tensors.flatMap {
            try XCTUnwrap(reference["grad." + $0.name]).doubles()
        }
        XCTAssertGreaterThan(relativeError(moved.gradient, referenceGradient), 1e-9,
                             "\(name): a nudged weight must move the gradient beyond the tolerance")
    }

    /// `ReferenceResults` in `T`, as doubles, with a flag for each output
    /// value on a sequence's own steps (the reference's padding is not ours).
    func results<T: NTMScalar>(_ config: ModelConfig, _ values: [T], _ batch: [TaskSequence])
        -> (outputs: [Double], scored: [Bool], loss: Double, gradient: [Double]) {
        let ours = ReferenceResults(config, weights: values, batch: batch)
        let width = config.outputSize
        var scored = [Bool](repeating: false, count: ours.outputs.count)
        for (b, sequence) in batch.enumerated() {
            let row = b * ours.paddedLength * width
            for i in row..<(row + sequence.length * width) { scored[i] = true }
        }
        return (ours.outputs.map { Double($0) }, scored, ours.loss, ours.gradient.map { Double($0) })
    }

    /// max |ours − reference| / max |reference| over the selected values.
    func relativeError(_ ours: [Double], _ reference: [Double], where selected: [Bool]? = nil) -> Double {
        precondition(ours.count == reference.count, "sizes \(ours.count) and \(reference.count)")
        var error = 0.0, scale = 0.0
        for i in ours.indices where selected?[i] ?? true {
            error = max(error, (ours[i] - reference[i]).magnitude)
            scale = max(scale, reference[i].magnitude)
        }
        return scale > 0 ? error / scale : error
    }

    func archive(_ url: URL) throws -> SafeTensorsArchive {
        try SafeTensorsArchive.decode(readFileBytes(atPath: url.path))
    }

    /// The batch as `ntm-bench --export` wrote it: inputs `[B, L, X]`,
    /// targets `[B, L, Y]` and mask `[B, L]`, padded to the longest length.
    func sequences(in batch: SafeTensorsArchive) throws -> [TaskSequence] {
        let inputs = try XCTUnwrap(batch["inputs"]), targets = try XCTUnwrap(batch["targets"])
        let mask = try XCTUnwrap(batch["mask"]).floats(), lengths = try XCTUnwrap(batch["lengths"]).int64s()
        let longest = inputs.shape[1], x = inputs.shape[2], y = targets.shape[2]
        let inputValues = try inputs.floats(), targetValues = try targets.floats()
        return lengths.enumerated().map { b, length in
            var s = TaskSequence(length: Int(length), inputSize: x, outputSize: y)
            for k in 0..<s.inputs.count { s.inputs[k] = inputValues[b * longest * x + k] }
            for k in 0..<s.targets.count { s.targets[k] = targetValues[b * longest * y + k] }
            for t in 0..<s.length { s.mask[t] = mask[b * longest + t] }
            return s
        }
    }
}
