import XCTest
@testable import NTM

/// The per-step BPTT clip of the gradient carried between steps through the
/// head weightings (`SequenceTape.boundCarriedGradients`, which also bounds the carried memory and read-vector gradients).
final class CarriedGradientTests: XCTestCase {
    /// A machine driven into the state that made priority sort and
    /// associative recall diverge: every head has interpolation gate
    /// `g ≈ 0`, sharpening `γ ≈ 41`, shift `0` only, and a uniform initial
    /// weighting, so `w_t = w_{t−1}` stays uniform and sharpening's Jacobian
    /// `γ(δ_ij − 1/N)` multiplies the carried gradient by `γ` per step.
    func pathological(length: Int) -> (Network<Float>, inputs: [Float], targets: [Float], mask: [Float]) {
        let config = ModelConfig(kind: .ntm, inputSize: 4, outputSize: 4, controller: .feedforward,
                                 controllerLayers: [8], readHeads: 1, writeHeads: 1, memoryRows: 16,
                                 memoryWidth: 4, shiftRange: 1, initialMemory: .random)
        let network = Network<Float>(config: config, seed: 7)
        let layout = network.layout, p = network.parameters
        for k in 0..<(config.controllerOutputSize * config.headsRawSize) { p[layout.headsKernel + k] = 0 }
        for k in 0..<(config.headCount * config.memoryRows) { p[layout.initialWeightingLogits + k] = 0 }
        let addressing = network.machine.addressing
        for head in network.machine.steps.heads {
            let bias = layout.headsBias + head.raw
            p[bias + addressing.gateIndex] = -100                   // g = σ(−100) ≈ 0
            p[bias + addressing.sharpeningIndex] = 40               // γ = 1 + softplus(40) ≈ 41
            for d in 0..<(2 * config.shiftRange + 1) {
                p[bias + addressing.shiftIndex + d] = d == config.shiftRange ? 30 : 0   // shift 0 only
            }
        }
        var rng = SeededGenerator(seed: 11)
        let inputs = (0..<length * config.inputSize).map { _ in Float(rng.uniform(-1.0, 1.0)) }
        let targets = (0..<length * config.outputSize).map { _ in rng.bit() ? Float(1) : 0 }
        return (network, inputs, targets, [Float](repeating: 1, count: length))
    }

    func gradient(_ network: Network<Float>, _ inputs: [Float], _ targets: [Float], _ mask: [Float],
                  bound: Double) -> [Float] {
        let tape = SequenceTape(machine: network.machine)
        tape.carriedWeightingBound = bound
        let p = UnsafePointer(network.parameters.baseAddress!)
        tape.forward(p, inputs: inputs, length: mask.count)
        _ = tape.loss(targets: targets, mask: mask)
        var g = [Float](repeating: 0, count: network.layout.count)
        g.withUnsafeMutableBufferPointer { tape.backward(p, $0.baseAddress!, dInputs: nil, zeroingGradient: true) }
        return g
    }

    func testLongSequenceGradientStaysFinite() {
        let (network, inputs, targets, mask) = pathological(length: 40)
        // Without the bound the exact gradient overflows (41^40 ≫ 3.4e38):
        // this is the divergence the bound exists for.
        let unbounded = gradient(network, inputs, targets, mask, bound: .infinity)
        XCTAssertTrue(unbounded.contains { !$0.isFinite }, "the set-up no longer explodes; the test proves nothing")
        let bounded = gradient(network, inputs, targets, mask, bound: SequenceTape<Float>.defaultCarriedWeightingBound)
        XCTAssertFalse(bounded.contains { !$0.isFinite }, "the bounded gradient must be finite")
    }

    func testGradientUnchangedBelowTheBound() {
        // A short pathological sequence (the carried norm stays below the
        // bound) and ordinary networks: the bound changes no bit.
        let (network, inputs, targets, mask) = pathological(length: 2)
        XCTAssertEqual(gradient(network, inputs, targets, mask, bound: .infinity),
                       gradient(network, inputs, targets, mask, bound: SequenceTape<Float>.defaultCarriedWeightingBound))
        for (k, config) in [ModelConfig(inputSize: 9, outputSize: 8),
                            ModelConfig(kind: .ntm, inputSize: 9, outputSize: 8, controller: .feedforward,
                                        controllerLayers: [32], readHeads: 4, writeHeads: 4)].enumerated() {
            let network = Network<Float>(config: config, seed: UInt64(k) + 3)
            var rng = SeededGenerator(seed: 5)
            let length = 30
            let inputs = (0..<length * 9).map { _ in Float(rng.uniform(-1.0, 1.0)) }
            let targets = (0..<length * 8).map { _ in rng.bit() ? Float(1) : 0 }
            let mask = [Float](repeating: 1, count: length)
            XCTAssertEqual(gradient(network, inputs, targets, mask, bound: .infinity),
                           gradient(network, inputs, targets, mask,
                                    bound: SequenceTape<Float>.defaultCarriedWeightingBound))
        }
    }

    /// Each carried block is bounded on its own: an exploding memory or
    /// read-vector gradient is rescaled to norm B × carriedStateBoundFactor (the weighting-only bound
    /// let the memory gradient overflow on dynamic N-grams), an infinite one
    /// keeps its largest entries' direction, and a block below the bound
    /// keeps every bit.
    func testMemoryAndReadGradientsAreBoundedBlockByBlock() {
        let config = ModelConfig(kind: .ntm, inputSize: 4, outputSize: 4, controller: .feedforward,
                                 controllerLayers: [8], readHeads: 2, writeHeads: 1, memoryRows: 16, memoryWidth: 4)
        let network = Network<Float>(config: config, seed: 3)
        let tape = SequenceTape(machine: network.machine)
        let state = network.machine.state
        let bound = SequenceTape<Float>.defaultCarriedWeightingBound
        var d = [Float](repeating: 0, count: state.size)
        for i in 0..<state.size { d[i] = Float(i % 7) - 3 }          // small everywhere
        let memoryCount = config.memoryRows * config.memoryWidth, readCount = config.readHeads * config.memoryWidth
        for i in 0..<memoryCount { d[state.memory + i] = 1e30 * Float(i % 3 + 1) }   // norm ≫ B, finite in Double
        d[state.reads] = .infinity
        d[state.reads + 1] = -.infinity
        let before = d
        d.withUnsafeMutableBufferPointer { tape.boundCarriedGradients($0.baseAddress!) }

        func norm(_ from: Int, _ count: Int) -> Double {
            (from..<(from + count)).reduce(0.0) { $0 + Double(d[$1]) * Double(d[$1]) }.squareRoot()
        }
        let stateBound = bound * SequenceTape<Float>.carriedStateBoundFactor
        XCTAssertEqual(norm(state.memory, memoryCount), stateBound, accuracy: stateBound * 1e-5)
        for i in 0..<memoryCount {   // the direction is kept
            XCTAssertEqual(Double(d[state.memory + i]) / Double(d[state.memory]),
                           Double(before[state.memory + i]) / Double(before[state.memory]), accuracy: 1e-5)
        }
        XCTAssertEqual(Double(d[state.reads]), stateBound / 2.squareRoot(), accuracy: stateBound * 1e-6)
        XCTAssertEqual(Double(d[state.reads + 1]), -stateBound / 2.squareRoot(), accuracy: stateBound * 1e-6)
        XCTAssertTrue((2..<readCount).allSatisfy { d[state.reads + $0] == 0 })
        let weightings = state.weightings..<state.size
        XCTAssertEqual(Array(d[weightings]), Array(before[weightings]), "blocks below the bound are untouched")
    }
}
