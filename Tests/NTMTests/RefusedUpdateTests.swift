import XCTest
@testable import NTM

/// The core `Trainer` refuses a non-finite update and changes nothing.
final class RefusedUpdateTests: XCTestCase {
    struct Snapshot: Equatable {
        var parameters: [UInt32], gradient: [UInt32], state: [[UInt32]], steps: Int, sequences: Int
    }

    func snapshot(_ t: Trainer<Float>) -> Snapshot {
        Snapshot(parameters: t.network.parameterValues.map(\.bitPattern), gradient: t.gradient.map(\.bitPattern),
                 state: t.optimizer.stateBuffers.map { $0.buffer.map(\.bitPattern) },
                 steps: t.optimizer.stepCount, sequences: t.sequencesSeen)
    }

    /// A small trainer with some updates behind it, so the optimiser state is not zero.
    func trained(_ optimizer: OptimizerConfig) -> Trainer<Float> {
        let config = ModelConfig(inputSize: 9, outputSize: 8, controllerLayers: [16], memoryRows: 16, memoryWidth: 6)
        let trainer = Trainer(network: Network<Float>(config: config, seed: 3), optimizer: optimizer, dataSeed: 5)
        let task = CopyTask(minLength: 1, maxLength: 4)
        for _ in 0..<3 { XCTAssertTrue(trainer.train(on: task, batchSize: 2).applied) }
        return trainer
    }

    func testNonFiniteGradientIsRefused() {
        for optimizer in [OptimizerConfig.adam, .rmsprop] {
            let t = trained(optimizer)
            t.gradient[5] = .nan
            t.gradient[9] = .infinity
            let before = snapshot(t)
            XCTAssertEqual(t.applyGradient(), .nonFiniteGradient(index: 5))
            XCTAssertEqual(snapshot(t), before)
        }
    }

    func testUpdateThatWouldOverflowIsRefused() {
        let t = trained(.adam)
        t.optimizer.learningRate = 1e38
        // Any finite gradient: the step of size ~1e38 takes a parameter near the top of Float past it.
        for k in 0..<t.gradient.count { t.gradient[k] = 0 }
        t.gradient[0] = -1
        t.network.parameters[0] = 3.3e38
        for state in t.optimizer.stateBuffers { state.buffer[0] = 0 }   // so the step at 0 is +0.58 lr
        let before = snapshot(t)
        XCTAssertEqual(t.applyGradient(), .parameterOutOfRange(index: 0))
        XCTAssertEqual(snapshot(t), before, "parameters, gradient, optimiser state and step count are untouched")
        // And an accepted update still works afterwards.
        t.network.parameters[0] = 0
        t.optimizer.learningRate = 1e-3
        XCTAssertNil(t.applyGradient())
        XCTAssertEqual(t.optimizer.stepCount, before.steps + 1)
    }

    func testUpdateBeyondTheParameterLimitIsRefused() {
        // A finite step that takes a parameter just past ±1e6: refused, so
        // that every trained model can be saved and loaded again.
        let t = trained(.adam)
        t.optimizer.learningRate = 10
        for k in 0..<t.gradient.count { t.gradient[k] = 0 }
        t.gradient[7] = -1
        t.network.parameters[7] = 999_995
        for state in t.optimizer.stateBuffers { state.buffer[7] = 0 }
        let before = snapshot(t)
        XCTAssertEqual(t.applyGradient(), .parameterOutOfRange(index: 7))
        XCTAssertEqual(snapshot(t), before)
        XCTAssertTrue("\(t.applyGradient()!)".contains("larger than 1000000.0 in magnitude"))
        // A step that ends inside the limit is taken.
        t.network.parameters[7] = 999_985
        XCTAssertNil(t.applyGradient())
        XCTAssertLessThanOrEqual(t.network.parameters[7], 1e6)
    }

    func testTrainRefusesAndKeepsTheDataGenerator() {
        let t = trained(.adam)
        t.network.parameters[t.network.layout.outputBias] = .nan   // every loss is NaN now
        let before = snapshot(t), generator = t.dataGenerator
        let result = t.train(on: CopyTask(minLength: 1, maxLength: 4), batchSize: 2)
        XCTAssertFalse(result.applied)
        XCTAssertNotNil(result.refusal)
        let after = snapshot(t)
        XCTAssertEqual(after.parameters, before.parameters)
        XCTAssertEqual(after.state, before.state)
        XCTAssertEqual(after.steps, before.steps)
        XCTAssertEqual(after.sequences, before.sequences)
        var a = t.dataGenerator, b = generator
        XCTAssertEqual(a.next(), b.next(), "the data generator must not advance")
    }
}
