import XCTest
@testable import NTM

/// The analytic gradient of every parameter, and of every input, against
/// central finite differences of the loss, in `Double`.
///
/// Finite difference (fourth-order central, step h):
///   n_i = [8(L(θ+h e_i) − L(θ−h e_i)) − (L(θ+2h e_i) − L(θ−2h e_i))] / 12h
/// Relative error: |a_i − n_i| / max(|a_i|, |n_i|, 1e-3); every one ≤ 1e-6.
final class GradientCheckTests: XCTestCase {
    struct Case {
        var config: ModelConfig
        var lengths: [Int]
    }

    static let tolerance = 1e-6
    static let floor = 1e-3
    static let step = 1e-4

    func sequenceData(_ config: ModelConfig, length: Int, seed: UInt64)
        -> (inputs: [Double], targets: [Double], mask: [Double]) {
        var rng = SeededGenerator(seed: seed)
        let inputs = (0..<length * config.inputSize).map { _ in rng.uniform(-1.0, 1.0) }
        let targets = (0..<length * config.outputSize).map { _ in rng.bit() ? 1.0 : 0.0 }
        // Some steps carry no target, one carries a weight other than 1.
        var mask = (0..<length).map { t in t % 3 == 1 ? 0.0 : 1.0 }
        mask[length - 1] = 0.5
        return (inputs, targets, mask)
    }

    func loss(_ network: Network<Double>, _ tape: SequenceTape<Double>,
              _ data: (inputs: [Double], targets: [Double], mask: [Double]), length: Int) -> Double {
        tape.forward(UnsafePointer(network.parameters.baseAddress!), inputs: data.inputs, length: length)
        return tape.loss(targets: data.targets, mask: data.mask).loss
    }

    func check(_ config: ModelConfig, length: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        let network = Network<Double>(config: config, seed: seed)
        let tape = SequenceTape(machine: network.machine)
        let data = sequenceData(config, length: length, seed: seed &+ 1)
        let p = network.parameters.baseAddress!

        // Analytic.
        var gradient = [Double](repeating: 0, count: network.layout.count)
        var inputGradient = [Double](repeating: 0, count: data.inputs.count)
        _ = loss(network, tape, data, length: length)
        gradient.withUnsafeMutableBufferPointer { g in
            inputGradient.withUnsafeMutableBufferPointer { dx in
                tape.backward(UnsafePointer(p), g.baseAddress!, dInputs: dx.baseAddress!)
            }
        }

        func numeric(_ perturb: (Double) -> Void) -> Double {
            let h = Self.step
            perturb(h); let f1 = loss(network, tape, data, length: length)
            perturb(-2 * h); let b1 = loss(network, tape, data, length: length)
            perturb(3 * h); let f2 = loss(network, tape, data, length: length)
            perturb(-4 * h); let b2 = loss(network, tape, data, length: length)
            perturb(2 * h)
            return (8 * (f1 - b1) - (f2 - b2)) / (12 * h)
        }
        func relativeError(_ a: Double, _ n: Double) -> Double {
            abs(a - n) / max(abs(a), abs(n), Self.floor)
        }

        var worst = 0.0, worstName = ""
        for tensor in network.layout.tensors {
            for i in tensor.range {
                let n = numeric { p[i] += $0 }
                let e = relativeError(gradient[i], n)
                if e > worst { worst = e; worstName = "\(tensor.name)[\(i - tensor.offset)] a=\(gradient[i]) n=\(n)" }
            }
        }
        // Input gradients (perturbing a copy the closure can reach).
        var inputs = data.inputs
        for i in inputs.indices {
            func lossAt(_ delta: Double) -> Double {
                inputs[i] = data.inputs[i] + delta
                return loss(network, tape, (inputs, data.targets, data.mask), length: length)
            }
            let h = Self.step
            let n = (8 * (lossAt(h) - lossAt(-h)) - (lossAt(2 * h) - lossAt(-2 * h))) / (12 * h)
            inputs[i] = data.inputs[i]
            let e = relativeError(inputGradient[i], n)
            if e > worst { worst = e; worstName = "input[\(i)] a=\(inputGradient[i]) n=\(n)" }
        }
        print("gradient check \(config.controller) R=\(config.readHeads) W=\(config.writeHeads) S=\(config.shiftRange) "
              + "memory=\(config.initialMemory) T=\(length): \(network.layout.count) parameters, "
              + "max |a−n|/max(|a|,|n|,\(Self.floor)) = \(worst) (\(worstName))")
        XCTAssertLessThanOrEqual(worst, Self.tolerance, "worst: \(worstName)", file: file, line: line)
    }

    /// Random initial weightings by default: diffuse weightings keep every
    /// location's path through addressing active, so the check sees them.
    func small(_ controller: ModelConfig.ControllerKind, layers: [Int] = [5], reads: Int, writes: Int,
               shift: Int, memory: ModelConfig.InitialMemory, add: ModelConfig.AddActivation = .linear,
               weighting: ModelConfig.InitialWeighting = .random) -> ModelConfig {
        ModelConfig(inputSize: 3, outputSize: 2, controller: controller, controllerLayers: layers,
                    readHeads: reads, writeHeads: writes, memoryRows: 6, memoryWidth: 3, shiftRange: shift,
                    initialMemory: memory, initialMemoryValue: 0.3, addActivation: add, initialWeighting: weighting)
    }

    func testFeedforwardFocusedInitialWeighting() {
        check(small(.feedforward, reads: 1, writes: 1, shift: 1, memory: .constant, weighting: .focused),
              length: 5, seed: 7)
    }

    func testFeedforwardOneReadOneWriteConstantMemory() {
        check(small(.feedforward, reads: 1, writes: 1, shift: 1, memory: .constant), length: 5, seed: 1)
    }

    func testLSTMTwoReadsTwoWritesLearnedMemoryShiftTwo() {
        check(small(.lstm, reads: 2, writes: 2, shift: 2, memory: .learned), length: 5, seed: 2)
    }

    func testFeedforwardTwoLayersThreeReadsRandomMemoryTanhAdd() {
        check(small(.feedforward, layers: [5, 4], reads: 3, writes: 1, shift: 1, memory: .random, add: .tanh),
              length: 4, seed: 3)
    }

    func testStackedLSTMControllerOneReadTwoWrites() {
        check(small(.lstm, layers: [4, 3], reads: 1, writes: 2, shift: 1, memory: .constant), length: 6, seed: 4)
    }

    func testDefaultTinyMemoryConstant() {
        // The default 1e-6 constant memory: cosine similarities of nearly
        // zero rows must still differentiate exactly.
        var config = small(.lstm, reads: 1, writes: 1, shift: 1, memory: .constant)
        config.initialMemoryValue = 1e-6
        check(config, length: 5, seed: 5)
    }

    func testLSTMBaseline() {
        check(.lstmBaseline(inputSize: 3, outputSize: 2, layers: [4, 3, 2]), length: 6, seed: 6)
    }
}
