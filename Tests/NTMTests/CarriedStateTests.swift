import XCTest
@testable import NTM

/// The state carried between chunks of a sequence (`CarriedStateLayout`)
/// and `BackwardPass`'s chunk API, in `Double`: the state round-trips
/// through a record, its gradient matches central differences, and two
/// chained chunks give one pass's gradient.
final class CarriedStateTests: XCTestCase {
    static let configs = [
        ModelConfig(kind: .ntm, inputSize: 3, outputSize: 2, controller: .lstm, controllerLayers: [5, 4],
                    readHeads: 2, writeHeads: 1, memoryRows: 6, memoryWidth: 3, shiftRange: 1,
                    initialMemory: .learned),
        ModelConfig(kind: .ntm, inputSize: 3, outputSize: 2, controller: .feedforward, controllerLayers: [6],
                    readHeads: 1, writeHeads: 2, memoryRows: 5, memoryWidth: 4, shiftRange: 1),
        ModelConfig.lstmBaseline(inputSize: 3, outputSize: 2, layers: [4, 3]),
    ]

    /// A network off its initialisation (see Tests/C/test_gradients.c).
    func network(_ config: ModelConfig, seed: UInt64) -> Network<Double> {
        let network = Network<Double>(config: config, seed: seed)
        var rng = SeededGenerator(seed: seed + 100)
        for i in 0..<network.parameters.count { network.parameters[i] += rng.uniform(-0.3, 0.3) }
        return network
    }

    /// A state that is not the learned one: values in ±0.5, weightings
    /// positive and summing to 1 per head.
    func state(_ layout: CarriedStateLayout, rows: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        var s = (0..<layout.count).map { _ in rng.uniform(-0.5, 0.5) }
        guard !layout.weightings.isEmpty else { return s }
        for head in stride(from: layout.weightings.lowerBound, to: layout.weightings.upperBound, by: rows) {
            let w = (0..<rows).map { _ in rng.uniform(0.5, 1.5) }
            let total = w.reduce(0, +)
            for i in 0..<rows { s[head + i] = w[i] / total }
        }
        return s
    }

    func testLayoutSizesAndRoundTrip() {
        for config in Self.configs {
            let network = network(config, seed: 1)
            let layout = network.carriedState
            let memory = config.usesMemory ? config.memoryRows * config.memoryWidth : 0
            let lstm = config.controller == .lstm ? 2 * config.controllerLayers.reduce(0, +) : 0
            XCTAssertEqual(layout.count, memory + config.readHeads * config.memoryWidth
                           + config.headCount * (config.usesMemory ? config.memoryRows : 0) + lstm)
            let machine = network.machine
            let s = state(layout, rows: config.memoryRows, seed: 2)
            var record = [Double](repeating: .nan, count: machine.steps.size)
            var back = [Double](repeating: .nan, count: layout.count)
            record.withUnsafeMutableBufferPointer { machine.unpackState(s, into: $0.baseAddress!) }
            record.withUnsafeBufferPointer { machine.packState($0.baseAddress!, into: &back) }
            XCTAssertEqual(back, s)
            if config.usesMemory {   // the row norms are recomputed from the memory
                for i in 0..<config.memoryRows {
                    let row = (0..<config.memoryWidth).map { s[i * config.memoryWidth + $0] }
                    XCTAssertEqual(record[machine.steps.rowNorms + i], row.map { $0 * $0 }.reduce(0, +).squareRoot(),
                                   accuracy: 1e-12)
                }
            }
        }
    }

    /// L = Σ W ⊙ outputs + Σ V ⊙ finalState, for both output kinds: the
    /// gradients with respect to the initial state and the parameters
    /// against central differences.
    func testGradientsAgainstCentralDifferences() {
        for (k, config) in Self.configs.enumerated() {
            for kind in [OutputKind.probabilities, .logits] {
                let network = network(config, seed: UInt64(10 + k))
                let pass = BackwardPass(network: network)
                let layout = pass.carriedState
                let length = 4
                var rng = SeededGenerator(seed: UInt64(20 + k))
                let inputs = (0..<length * config.inputSize).map { _ in rng.uniform(-1.0, 1.0) }
                let w = (0..<length * config.outputSize).map { _ in rng.uniform(-1.0, 1.0) }
                let v = (0..<layout.count).map { _ in rng.uniform(-1.0, 1.0) }
                var initial = state(layout, rows: config.memoryRows, seed: UInt64(30 + k))

                func objective() -> Double {
                    var outputs = [Double](repeating: 0, count: w.count)
                    var final = [Double](repeating: 0, count: v.count)
                    pass.forward(inputs: inputs, length: length, initialState: initial, kind: kind,
                                 outputs: &outputs, finalState: &final)
                    return zip(w, outputs).map(*).reduce(0, +) + zip(v, final).map(*).reduce(0, +)
                }
                func difference(_ change: (Double) -> Void) -> Double {
                    let h = 1e-6
                    change(h); let plus = objective()
                    change(-2 * h); let minus = objective()
                    change(h)
                    return (plus - minus) / (2 * h)
                }

                var dInitial = [Double](repeating: 0, count: layout.count)
                var gradient = [Double](repeating: 0, count: network.layout.count)
                pass.backward(inputs: inputs, length: length, initialState: initial, kind: kind, dOutputs: w,
                              dFinalState: v, outputs: nil, finalState: nil, dInputs: nil,
                              dInitialState: &dInitial, gradient: &gradient)
                // h = 1e-6: rounding moves a difference by about 1e-16 |L| / h ≈ 1e-9,
                // truncation by h² ≈ 1e-12; a wrong term moves it by the size of the gradient.
                var worst = 0.0
                for i in 0..<layout.count {
                    let numeric = difference { initial[i] += $0 }
                    worst = max(worst, abs(dInitial[i] - numeric) / (1e-8 + 1e-6 * abs(numeric)))
                }
                for i in stride(from: 0, to: network.layout.count, by: 3) {
                    let numeric = difference { network.parameters[i] += $0 }
                    worst = max(worst, abs(gradient[i] - numeric) / (1e-8 + 1e-6 * abs(numeric)))
                }
                XCTAssertLessThan(worst, 1, "config \(k), \(kind)")
            }
        }
    }

    func testChainedChunksGiveTheGradientOfOnePass() {
        for (k, config) in Self.configs.enumerated() {
            let network = network(config, seed: UInt64(40 + k))
            let pass = BackwardPass(network: network)
            let layout = pass.carriedState
            let length = 7, cut = 3
            var rng = SeededGenerator(seed: UInt64(50 + k))
            let n = config.inputSize, m = config.outputSize
            let inputs = (0..<length * n).map { _ in rng.uniform(-1.0, 1.0) }
            let dy = (0..<length * m).map { _ in rng.uniform(-1.0, 1.0) }
            var whole = [Double](repeating: 0, count: network.layout.count)
            var dxWhole = [Double](repeating: 0, count: length * n)
            pass.backward(inputs: inputs, length: length, initialState: nil, kind: .probabilities, dOutputs: dy,
                          dFinalState: nil, outputs: nil, finalState: nil, dInputs: &dxWhole, dInitialState: nil,
                          gradient: &whole)

            var middle = [Double](repeating: 0, count: layout.count)
            pass.forward(inputs: inputs, length: cut, initialState: nil, kind: .probabilities, outputs: nil,
                         finalState: &middle)
            var chunks = [Double](repeating: 0, count: network.layout.count)   // both chunks add into it
            var dMiddle = [Double](repeating: 0, count: layout.count)
            var dxSecond = [Double](repeating: 0, count: (length - cut) * n)
            var dxFirst = [Double](repeating: 0, count: cut * n)
            pass.backward(inputs: Array(inputs[(cut * n)...]), length: length - cut, initialState: middle,
                          kind: .probabilities, dOutputs: Array(dy[(cut * m)...]), dFinalState: nil, outputs: nil,
                          finalState: nil, dInputs: &dxSecond, dInitialState: &dMiddle, gradient: &chunks)
            pass.backward(inputs: Array(inputs[..<(cut * n)]), length: cut, initialState: nil, kind: .probabilities,
                          dOutputs: Array(dy[..<(cut * m)]), dFinalState: dMiddle, outputs: nil, finalState: nil,
                          dInputs: &dxFirst, dInitialState: nil, gradient: &chunks)
            let scale = whole.map(abs).max()!
            XCTAssertGreaterThan(scale, 0)
            for i in whole.indices { XCTAssertEqual(chunks[i], whole[i], accuracy: 1e-12 * scale, "config \(k), \(i)") }
            for (i, d) in (dxFirst + dxSecond).enumerated() {
                XCTAssertEqual(d, dxWhole[i], accuracy: 1e-12 * scale, "config \(k), input \(i)")
            }
        }
    }
}
