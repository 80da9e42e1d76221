import XCTest
@testable import NTM

/// One and two optimiser steps against numbers worked out by hand.
final class OptimizerTests: XCTestCase {
    func run(_ optimizer: any Optimizer<Double>, from w0: Double, gradients: [Double]) -> [Double] {
        var w = [w0]
        var trace: [Double] = []
        for g in gradients {
            w.withUnsafeMutableBufferPointer { p in
                [g].withUnsafeBufferPointer { optimizer.update(p, gradient: $0) }
            }
            trace.append(w[0])
        }
        return trace
    }

    func testGravesRMSPropTwoSteps() {
        // ℵ = 0.95, ℶ = 0.9, ℷ = 0.1, ℸ = 1e-4, g = 2 twice, w₀ = 1:
        //   n = 0.2, ḡ = 0.1, Δ = −0.2/√0.1901 = −0.45871077, w = 0.54128923
        //   n = 0.39, ḡ = 0.195, Δ = 0.9·Δ − 0.2/√0.352075 = −0.74990372, w = −0.20861449
        var config = OptimizerConfig.rmsprop
        config.learningRate = 0.1
        let trace = run(RMSProp<Double>(config: config, count: 1), from: 1, gradients: [2, 2])
        XCTAssertEqual(trace[0], 0.5412892297403127, accuracy: 1e-12)
        XCTAssertEqual(trace[1], -0.20861448782816883, accuracy: 1e-12)
    }

    func testAdamTwoSteps() {
        // η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, g = 2 then −1, w₀ = 1:
        //   m̂ = 2, v̂ = 4: w = 1 − 0.1·2/(2 + 1e-8) = 0.9000000005
        //   m̂ = 0.08/0.19, v̂ = 0.004996/0.001999: w = 0.87336629670
        var config = OptimizerConfig.adam
        config.learningRate = 0.1
        let trace = run(Adam<Double>(config: config, count: 1), from: 1, gradients: [2, -1])
        XCTAssertEqual(trace[0], 0.9000000005, accuracy: 1e-12)
        XCTAssertEqual(trace[1], 0.8733662967024315, accuracy: 1e-12)
    }

    func testClipping() {
        var g: [Float] = [3, -4, 12, .nan]
        g.withUnsafeMutableBufferPointer { Clipping.clipValues($0, limit: 10) }
        XCTAssertEqual(Array(g[0..<3]), [3, -4, 10])
        XCTAssertTrue(g[3].isNaN, "NaN must survive clipping so it can be reported")
        var h: [Double] = [3, 4]
        let norm = h.withUnsafeMutableBufferPointer { Clipping.clipNorm($0, maxNorm: 1) }
        XCTAssertEqual(norm, 5)
        XCTAssertEqual(h[0], 0.6, accuracy: 1e-15)
        XCTAssertEqual(h[1], 0.8, accuracy: 1e-15)
    }

    /// The norm where the exact answer is known. Every square and every
    /// partial sum below is an integer (or a short dyadic fraction) well
    /// inside Double's 53 bits, so the sum is exact in any order and the
    /// returned norm must be its correctly rounded square root, bit for bit;
    /// the lengths put values into the sixteen lanes and the tail.
    func testClipNormReturnsTheCorrectlyRoundedNorm() {
        // n copies of one value: √(n x²) = |x| √n, exact for square n.
        for (n, x, norm) in [(1, -3.0, 3.0), (49, 1.5, 10.5), (1089, 3.0, 99.0), (10_000, 0.5, 50.0)] {
            var g = [Float](repeating: Float(x), count: n)
            XCTAssertEqual(g.withUnsafeMutableBufferPointer { Clipping.clipNorm($0, maxNorm: 1e9) }, norm, "\(n) × \(x)")
            var h = [Double](repeating: x, count: n)
            XCTAssertEqual(h.withUnsafeMutableBufferPointer { Clipping.clipNorm($0, maxNorm: 1e9) }, norm, "\(n) × \(x)")
        }
        // 3-4-5 triangles, nine of them and a 5-12-13 one: √(9·25 + 169) = √394.
        var triangles = [Float](repeating: 0, count: 20)
        for k in 0..<9 { triangles[2 * k] = 3; triangles[2 * k + 1] = -4 }
        triangles[18] = 5; triangles[19] = 12
        XCTAssertEqual(triangles.withUnsafeMutableBufferPointer { Clipping.clipNorm($0, maxNorm: 1e9) },
                       Double(394).squareRoot())
        // Random integers in −100…100: the sum of squares is exact in Double.
        var random = SeededGenerator(seed: 29)
        for n in [7, 8, 9, 15, 16, 17, 100, 1001] {
            let k = (0..<n).map { _ in random.integer(in: -100...100) }
            let exact = Double(k.reduce(0) { $0 + $1 * $1 }).squareRoot()
            var g = k.map { Float($0) }
            XCTAssertEqual(g.withUnsafeMutableBufferPointer { Clipping.clipNorm($0, maxNorm: 1e9) }, exact, "\(n) values")
            XCTAssertEqual(g, k.map { Float($0) }, "below the limit the gradient is left alone")
        }
    }

    /// Above the limit the gradient is scaled to norm `maxNorm`, up to the
    /// rounding of the scale factor and of each product (a few ulps of `T`).
    func testClipNormScalesToTheLimit() {
        // The norm measured with a compensated (Neumaier) sum, so that the
        // measurement adds well under an ulp of Double whatever the length.
        func norm<T: BinaryFloatingPoint>(_ g: [T]) -> Double {
            var sum = 0.0, compensation = 0.0
            for x in g {
                let square = Double(x) * Double(x), next = sum + square
                compensation += sum >= square ? (sum - next) + square : (square - next) + sum
                sum = next
            }
            return (sum + compensation).squareRoot()
        }
        var random = SeededGenerator(seed: 31)
        for n in [1, 7, 8, 9, 17, 100, 1001] {
            let values = (0..<n).map { _ in random.uniform(-4.0, 4.0) + 5 }   // norm ≥ √n > 0.7
            for maxNorm in [0.7, 1.0, 0.001] {
                var g = values.map { Float($0) }
                let before = g.withUnsafeMutableBufferPointer { Clipping.clipNorm($0, maxNorm: maxNorm) }
                XCTAssertGreaterThan(before, maxNorm)
                XCTAssertEqual(norm(g), maxNorm, accuracy: maxNorm * 4 * Double(Float.ulpOfOne), "Float, \(n) values")
                var h = values
                h.withUnsafeMutableBufferPointer { _ = Clipping.clipNorm($0, maxNorm: maxNorm) }
                XCTAssertEqual(norm(h), maxNorm, accuracy: maxNorm * 4 * Double.ulpOfOne, "Double, \(n) values")
            }
        }
    }

    func testFrozenRandomMemoryIsNotUpdated() {
        let config = ModelConfig(inputSize: 2, outputSize: 1, controller: .feedforward, controllerLayers: [3],
                                 memoryRows: 4, memoryWidth: 2, initialMemory: .random)
        let network = Network<Double>(config: config, seed: 3)
        let before = network.parameterValues
        let trainer = Trainer(network: network, optimizer: .adam)
        var sequence = TaskSequence(length: 3, inputSize: 2, outputSize: 1)
        sequence.inputs = [1, 0, 0, 1, 1, 1]; sequence.targets = [1, 0, 1]; sequence.mask = [1, 1, 1]
        trainer.train([sequence])
        let memory = network.layout.tensor(named: "memory0")!.range
        XCTAssertEqual(Array(network.parameterValues[memory]), Array(before[memory]))
        XCTAssertNotEqual(network.parameterValues, before)
    }
}
