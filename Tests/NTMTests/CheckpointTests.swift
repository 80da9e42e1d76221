import Foundation
import XCTest
@testable import NTM

// MARK: - Config JSON

final class ConfigJSONTests: XCTestCase {
    static let sampleConfigs: [ModelConfig] = [
        ModelConfig(inputSize: 9, outputSize: 8),
        ModelConfig(kind: .ntm, inputSize: 3, outputSize: 2, controller: .feedforward, controllerLayers: [64, 32],
                    readHeads: 4, writeHeads: 2, memoryRows: 32, memoryWidth: 7, shiftRange: 3,
                    initialMemory: .learned, initialMemoryValue: 0.1, addActivation: .tanh),
        ModelConfig(inputSize: 1, outputSize: 1, controllerLayers: [1], memoryRows: 1, memoryWidth: 1, shiftRange: 0,
                    initialMemory: .random, initialMemoryValue: -0.0),
        ModelConfig(inputSize: 9, outputSize: 8, initialMemoryValue: 1.0 / 3.0),
        .lstmBaseline(inputSize: 9, outputSize: 8, layers: [256, 256, 256]),
        // A baseline that keeps the NTM memory defaults (unused) still round-trips.
        ModelConfig(kind: .lstm, inputSize: 5, outputSize: 4, readHeads: 0, writeHeads: 0),
    ]

    func testModelConfigRoundTrips() throws {
        for config in Self.sampleConfigs + Presets.all.map(\.model) {
            XCTAssertNil(config.validationError())
            XCTAssertEqual(try ModelConfig(json: config.json), config)
            XCTAssertEqual(try ModelConfig(jsonText: config.jsonText), config)
            XCTAssertEqual(try ModelConfig(jsonText: config.json.serialized(pretty: true)), config)
            // Deterministic: the same config always gives the same text.
            XCTAssertEqual(try ModelConfig(jsonText: config.jsonText).jsonText, config.jsonText)
        }
        let negativeZero = try ModelConfig(json: Self.sampleConfigs[2].json)
        XCTAssertEqual(negativeZero.initialMemoryValue.sign, .minus)
    }

    func testModelConfigTextIsFixed() {
        XCTAssertEqual(ModelConfig(inputSize: 9, outputSize: 8).jsonText,
                       #"{"kind":"ntm","input_size":9,"output_size":8,"controller":"lstm","controller_layers":[100],"#
                       + #""read_heads":1,"write_heads":1,"memory_rows":128,"memory_width":20,"shift_range":1,"#
                       + #""initial_memory":"constant","initial_memory_value":1e-06,"add_activation":"linear","#
                       + #""initial_weighting":"focused"}"#)
        XCTAssertEqual(ModelConfig.jsonFields, ModelConfig(inputSize: 1, outputSize: 1).json.object!.map(\.key))
        XCTAssertEqual(OptimizerConfig.jsonFields, OptimizerConfig.adam.json.object!.map(\.key))
    }

    func testMissingFieldsTakeTheDefaultsOfTheirKind() throws {
        XCTAssertEqual(try ModelConfig(jsonText: #"{"input_size": 9, "output_size": 8}"#),
                       ModelConfig(inputSize: 9, outputSize: 8))
        XCTAssertEqual(try ModelConfig(jsonText: #"{"kind": "lstm", "input_size": 9, "output_size": 8.0}"#),
                       .lstmBaseline(inputSize: 9, outputSize: 8, layers: [100]))
        XCTAssertEqual(try ModelConfig(jsonText: #"{"kind":"lstm","input_size":9,"output_size":8,"controller_layers":[256,256,256]}"#),
                       .lstmBaseline(inputSize: 9, outputSize: 8, layers: [256, 256, 256]))
    }

    /// Asserts that `text` is rejected with exactly `message` (or a message
    /// containing it) and, if given, `field`.
    private func assertRejected(_ text: String, _ message: String, field: String? = nil, exact: Bool = false,
                                optimizer: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        do {
            if optimizer {
                let config = try OptimizerConfig(jsonText: text)
                XCTFail("accepted \(text) as \(config)", file: file, line: line)
            } else {
                let config = try ModelConfig(jsonText: text)
                XCTFail("accepted \(text) as \(config)", file: file, line: line)
            }
        } catch {
            if exact {
                XCTAssertEqual(error.message, message, file: file, line: line)
            } else {
                XCTAssertTrue(error.message.contains(message), "\"\(error.message)\" lacks \"\(message)\"",
                              file: file, line: line)
            }
            if let field { XCTAssertEqual(error.field, field, file: file, line: line) }
            XCTAssertEqual(error.description, error.message, file: file, line: line)
        }
    }

    func testModelConfigRejectionsNameTheField() {
        let base = #""input_size": 9, "output_size": 8"#
        assertRejected(#"{\#(base), "read_heads": 0}"#,
                       #"config field "read_heads": expected an integer from 1 to 64, got 0"#,
                       field: "read_heads", exact: true)
        assertRejected(#"{\#(base), "reed_heads": 2}"#, #"unknown config field "reed_heads""#, field: "reed_heads")
        assertRejected(#"{\#(base), "read_heads": 2.5}"#, #""read_heads": expected an integer from 1 to 64, got 2.5"#)
        assertRejected(#"{\#(base), "read_heads": "2"}"#, #""read_heads": expected an integer from 1 to 64, got "2""#)
        assertRejected(#"{\#(base), "write_heads": 65}"#, #""write_heads": expected an integer from 1 to 64, got 65"#)
        assertRejected(#"{"output_size": 8}"#, #"config field "input_size" is required"#, field: "input_size")
        assertRejected(#"{"input_size": 9, "output_size": -1}"#, #""output_size": expected an integer from 1 to 65536, got -1"#)
        assertRejected(#"{\#(base), "input_size": 1e300}"#, "config is not valid JSON") // a duplicate key
        assertRejected(#"{"input_size": 1e300, "output_size": 8}"#, #""input_size": expected an integer"#)
        assertRejected(#"{\#(base), "kind": "gru"}"#, #""kind": expected "ntm" or "lstm", got "gru""#, field: "kind")
        assertRejected(#"{\#(base), "controller": "rnn"}"#, #""controller": expected "feedforward" or "lstm", got "rnn""#)
        assertRejected(#"{\#(base), "controller_layers": []}"#, #""controller_layers": expected an array of 1 to 8 integers"#)
        assertRejected(#"{\#(base), "controller_layers": 100}"#, #""controller_layers": expected an array"#)
        assertRejected(#"{\#(base), "controller_layers": [100, 0]}"#,
                       #"config field "controller_layers[1]": expected an integer from 1 to 4096, got 0"#,
                       field: "controller_layers[1]", exact: true)
        assertRejected(#"{\#(base), "memory_rows": 0}"#, #""memory_rows": expected an integer from 1 to 65536, got 0"#)
        assertRejected(#"{\#(base), "memory_width": 4097}"#, #""memory_width": expected an integer from 1 to 4096"#)
        assertRejected(#"{\#(base), "memory_rows": 65536, "memory_width": 4096}"#, #""memory_width": expected at most 256"#)
        assertRejected(#"{\#(base), "shift_range": 64}"#, #""shift_range": expected an integer from 0 to 63"#, field: "shift_range")
        assertRejected(#"{\#(base), "shift_range": -1}"#, #""shift_range": expected an integer from 0 to 63"#)
        assertRejected(#"{\#(base), "memory_rows": 2}"#, #"config field "shift_range" defaults to 1"#)
        assertRejected(#"{\#(base), "initial_memory": "zeros"}"#,
                       #""initial_memory": expected one of "constant", "learned", "random", got "zeros""#)
        assertRejected(#"{\#(base), "initial_memory_value": "small"}"#, #""initial_memory_value": expected a number from -1e6 to 1e6"#)
        assertRejected(#"{\#(base), "add_activation": null}"#, #""add_activation": expected "linear" or "tanh", got null"#)
        assertRejected(#"{"kind": "lstm", \#(base), "read_heads": 1}"#, #""read_heads": expected 0 when kind is "lstm""#)
        assertRejected(#"{"kind": "lstm", \#(base), "controller": "feedforward"}"#,
                       #"config field "controller" must be "lstm" when kind is "lstm""#, field: "controller")
        assertRejected(#"[1, 2]"#, "config must be a JSON object, got [1,2]")
        assertRejected("{\n  \"input_size\": 9,\n  \"output_size\": 8,\n}", "config is not valid JSON: line 4, column 1")
        assertRejected(#"{\#(base), "controller_layers": [\#(Array(repeating: "1", count: 30).joined(separator: ","))]}"#,
                       "got [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1…")
    }

    func testOptimizerConfigRoundTripsAndDefaults() throws {
        var custom = OptimizerConfig(kind: .rmsprop, learningRate: 3e-5)
        custom.clipNorm = 50
        custom.clipValue = 0
        custom.decay = 0
        var adam = OptimizerConfig.adam
        adam.beta2 = 0.98
        for config in [OptimizerConfig.rmsprop, .adam, custom, adam] {
            XCTAssertEqual(try OptimizerConfig(json: config.json), config)
            XCTAssertEqual(try OptimizerConfig(jsonText: config.jsonText), config)
        }
        XCTAssertEqual(try OptimizerConfig(jsonText: "{}"), .rmsprop)
        XCTAssertEqual(try OptimizerConfig(jsonText: #"{"optimizer": "adam"}"#), .adam)
        let adamDefaults = try OptimizerConfig(jsonText: #"{"kind": "adam"}"#)
        XCTAssertEqual(adamDefaults.learningRate, 1e-3)
        XCTAssertEqual(adamDefaults.epsilon, 1e-8)
        XCTAssertEqual(try OptimizerConfig(jsonText: #"{"learning_rate": 3e-5}"#).learningRate, 3e-5)
    }

    func testOptimizerConfigRejectionsNameTheField() {
        assertRejected(#"{"learning_rate": 0}"#,
                       #"optimizer config field "learning_rate": expected a number in (0, 1], got 0"#,
                       field: "learning_rate", exact: true, optimizer: true)
        assertRejected(#"{"lr": 0.1}"#, #"unknown optimizer config field "lr""#, field: "lr", optimizer: true)
        assertRejected(#"{"decay": 1}"#, #""decay": expected a number from 0 (inclusive) to 1 (exclusive), got 1"#, optimizer: true)
        assertRejected(#"{"momentum": -0.1}"#, #""momentum": expected a number from 0"#, optimizer: true)
        assertRejected(#"{"epsilon": 0}"#, #""epsilon": expected a number from 1e-30 to 1"#, optimizer: true)
        assertRejected(#"{"beta1": "0.9"}"#, #""beta1": expected a number"#, optimizer: true)
        assertRejected(#"{"beta2": 1.5}"#, #""beta2": expected a number"#, optimizer: true)
        assertRejected(#"{"clip_value": -1}"#, #""clip_value": expected a number from 0 to 3.4e38"#, optimizer: true)
        assertRejected(#"{"clip_norm": true}"#, #""clip_norm": expected a number from 0 to 3.4e38"#, optimizer: true)
        assertRejected(#"{"kind": "sgd"}"#, #""kind": expected "rmsprop" or "adam", got "sgd""#, optimizer: true)
        assertRejected(#"{"optimizer": "sgd"}"#, #""optimizer": expected "rmsprop" or "adam""#, optimizer: true)
        assertRejected(#"{"kind": "adam", "optimizer": "adam"}"#, #"field "optimizer" is another name for "kind""#,
                       optimizer: true)
        assertRejected("{", "optimizer config is not valid JSON: line 1, column 2", optimizer: true)
    }
}

// MARK: - Presets

final class PresetTests: XCTestCase {
    func testAllFifteenPresetsExistAndAreValid() throws {
        XCTAssertEqual(Presets.all.count, 15)
        XCTAssertEqual(Set(Presets.all.map(\.name)).count, 15)
        for task in TaskDescriptor.names {
            let instance = try TaskDescriptor.named(task).make(options: [:])
            for network in Presets.networks {
                let preset = try Presets.named("\(task)/\(network)")
                XCTAssertEqual(preset.task, task)
                XCTAssertEqual(preset.network, network)
                XCTAssertNil(preset.model.validationError(), preset.name)
                XCTAssertNil(preset.optimizer.validationError(), preset.name)
                XCTAssertEqual(preset.model.inputSize, instance.inputSize, preset.name)
                XCTAssertEqual(preset.model.outputSize, instance.outputSize, preset.name)
                XCTAssertEqual(preset.batchSize, 1)
                XCTAssertGreaterThan(ParameterLayout(preset.model).count, 0)
                // Graves' RMSProp as in the paper.
                XCTAssertEqual(preset.optimizer.kind, .rmsprop)
                XCTAssertEqual(preset.optimizer.momentum, 0.9)
                XCTAssertEqual(preset.optimizer.decay, 0.95)
                XCTAssertEqual(preset.optimizer.epsilon, 1e-4)
                XCTAssertEqual(preset.optimizer.clipValue, 10)
                switch network {
                case "lstm":
                    XCTAssertEqual(preset.model.kind, .lstm)
                    XCTAssertEqual(preset.model.controllerLayers.count, 3)
                default:
                    XCTAssertEqual(preset.model.kind, .ntm)
                    XCTAssertEqual(preset.model.controller, network == "ntm-lstm" ? .lstm : .feedforward)
                    XCTAssertEqual(preset.model.memoryRows, 128)
                    XCTAssertEqual(preset.model.memoryWidth, 20)
                    XCTAssertEqual(preset.model.shiftRange, 1)
                    XCTAssertEqual(preset.model.readHeads, preset.model.writeHeads)
                }
            }
        }
    }

    func testPresetsMatchThePapersTable() throws {
        let sort = try Presets.named("priority-sort/ntm-feedforward")
        XCTAssertEqual(sort.model.readHeads, 8)
        XCTAssertEqual(sort.model.writeHeads, 8)
        XCTAssertEqual(sort.model.controllerLayers, [512])
        XCTAssertEqual(sort.optimizer.learningRate, 3e-5)
        let sortLSTM = try Presets.named("priority-sort/ntm-lstm")
        XCTAssertEqual(sortLSTM.model.readHeads, 5)
        XCTAssertEqual(sortLSTM.model.controllerLayers, [100, 100])
        let recall = try Presets.named("associative-recall/ntm-feedforward")
        XCTAssertEqual(recall.model.readHeads, 4)
        XCTAssertEqual(recall.model.controllerLayers, [256])
        XCTAssertEqual(recall.optimizer.learningRate, 1e-4)
        let copy = try Presets.named("copy/ntm-lstm")
        XCTAssertEqual(copy.model, ModelConfig(inputSize: 9, outputSize: 8))
        XCTAssertEqual(copy.optimizer, .rmsprop)
        XCTAssertEqual(try Presets.named("repeat-copy/lstm").model.controllerLayers, [512, 512, 512])
        XCTAssertEqual(try Presets.named("repeat-copy/lstm").optimizer.learningRate, 3e-5)
        XCTAssertEqual(try Presets.named("dynamic-ngrams/lstm").optimizer.learningRate, 1e-4)
        XCTAssertEqual(try Presets.named("dynamic-ngrams/ntm-lstm").optimizer.learningRate, 3e-5)
    }

    func testInitialMemoryIsLearnedWhereHeadsMustAddressByContentFirst() throws {
        for preset in Presets.all where preset.model.kind == .ntm {
            let learned = ["dynamic-ngrams/ntm-feedforward", "priority-sort/ntm-feedforward"].contains(preset.name)
            XCTAssertEqual(preset.model.initialMemory, learned ? .learned : .constant, preset.name)
            let network = Network<Float>(config: preset.model, seed: 1)
            XCTAssertEqual(network.layout.tensor(named: "memory0") != nil, learned, preset.name)
        }
    }

    func testUnknownPresetListsTheValidNames() {
        XCTAssertThrowsError(try Presets.named("copy/gru")) { error in
            let message = (error as! ConfigError).message
            XCTAssertTrue(message.contains(#"unknown preset "copy/gru""#), message)
            for preset in Presets.all { XCTAssertTrue(message.contains(preset.name), message) }
        }
    }
}

// MARK: - Checkpoints

final class CheckpointTests: XCTestCase {
    static let tiny = ModelConfig(inputSize: 9, outputSize: 8, controller: .lstm, controllerLayers: [12],
                                  memoryRows: 16, memoryWidth: 6)
    static let configs: [ModelConfig] = [
        tiny,
        ModelConfig(inputSize: 9, outputSize: 8, controller: .feedforward, controllerLayers: [10, 7],
                    readHeads: 2, writeHeads: 1, memoryRows: 12, memoryWidth: 5, initialMemory: .learned,
                    addActivation: .tanh),
        ModelConfig(inputSize: 9, outputSize: 8, controllerLayers: [6], memoryRows: 8, memoryWidth: 4,
                    initialMemory: .random),
        .lstmBaseline(inputSize: 9, outputSize: 8, layers: [5, 5, 5]),
    ]

    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
    private func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

    /// Decodes expecting failure; returns the error.
    private func loadError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> CheckpointError? {
        do {
            _ = try decodeModel(bytes, as: Float.self)
            XCTFail("loaded a bad checkpoint", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    private func assertLoadFails(_ bytes: [UInt8], _ kind: CheckpointError.Kind, _ fragments: String...,
                                 file: StaticString = #filePath, line: UInt = #line) {
        guard let error = loadError(bytes, file: file, line: line) else { return }
        XCTAssertEqual(error.kind, kind, error.message, file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.message.contains(fragment), "\"\(error.message)\" lacks \"\(fragment)\"",
                          file: file, line: line)
        }
    }

    /// Decodes, edits and re-encodes a checkpoint; with `fixChecksum` the
    /// checksum metadata is recomputed over the tensors in file order, so
    /// that a later check is the one that fails.
    private func rewrite(_ bytes: [UInt8], fixChecksum: Bool = false,
                         _ edit: (inout SafeTensorsArchive) -> Void) -> [UInt8] {
        var archive = try! SafeTensorsArchive.decode(bytes)
        edit(&archive)
        if fixChecksum {
            let sum = String(checkpointChecksum(archive.tensors), radix: 16)
            let hex = String(repeating: "0", count: 8 - sum.count) + sum
            archive.metadata = archive.metadata.map { $0.key == "checksum" ? (key: "checksum", value: hex) : $0 }
        }
        return archive.encoded()
    }

    private func setMetadata(_ archive: inout SafeTensorsArchive, _ key: String, _ value: String?) {
        archive.metadata.removeAll { $0.key == key }
        if let value { archive.metadata.append((key: key, value: value)) }
    }

    func testSaveLoadGivesIdenticalParametersAndConfig() throws {
        for (i, config) in Self.configs.enumerated() {
            let network = Network<Float>(config: config, seed: UInt64(i + 1))
            let bytes = encodeModel(network)
            let (loaded, state) = try decodeModel(bytes, as: Float.self)
            XCTAssertNil(state)
            XCTAssertEqual(loaded.config, config)
            XCTAssertEqual(bits(loaded.parameterValues), bits(network.parameterValues))
            XCTAssertEqual(encodeModel(loaded), bytes, "saving is deterministic")

            let double = Network<Double>(config: config, seed: UInt64(i + 1))
            let (loadedDouble, _) = try decodeModel(encodeModel(double), as: Double.self)
            XCTAssertEqual(bits(loadedDouble.parameterValues), bits(double.parameterValues))
        }
    }

    func testFileHoldsTheDocumentedTensorsAndMetadata() throws {
        let network = Network<Float>(config: Self.tiny, seed: 3)
        let trainer = Trainer(network: network, optimizer: .rmsprop, dataSeed: 4)
        let bytes = encodeModel(network, trainer: trainer)
        let archive = try SafeTensorsArchive.decode(bytes)
        let names = network.layout.tensors.map(\.name)
            + ["optimizer.rmsprop.n", "optimizer.rmsprop.g", "optimizer.rmsprop.delta", "trainer.rng_state"]
        XCTAssertEqual(archive.tensors.map(\.name), names)
        for tensor in network.layout.tensors {
            XCTAssertEqual(archive[tensor.name]?.shape, tensor.shape)
            XCTAssertEqual(archive[tensor.name]?.dtype, .f32)
        }
        XCTAssertEqual(archive["optimizer.rmsprop.n"]?.shape, [network.layout.count])
        XCTAssertEqual(archive["trainer.rng_state"]?.dtype, .u64)
        XCTAssertEqual(archive.metadata.map(\.key), ["format", "format_version", "dtype", "config", "checksum",
                                                     "optimizer", "optimizer_steps", "sequences_seen"])
        XCTAssertEqual(archive.metadataValue(forKey: "format"), "ntm")
        XCTAssertEqual(archive.metadataValue(forKey: "format_version"), "1")
        XCTAssertEqual(archive.metadataValue(forKey: "dtype"), "float32")
        XCTAssertEqual(archive.metadataValue(forKey: "config"), Self.tiny.jsonText)
        // The checksum is the CRC-32C of the whole data section.
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        let sum = String(crc32c(Array(bytes[(8 + headerLength)...])), radix: 16)
        XCTAssertEqual(archive.metadataValue(forKey: "checksum"), String(repeating: "0", count: 8 - sum.count) + sum)

        let double = try SafeTensorsArchive.decode(encodeModel(Network<Double>(config: Self.tiny, seed: 3)))
        XCTAssertEqual(double.metadataValue(forKey: "dtype"), "float64")
        XCTAssertEqual(double.tensors.first?.dtype, .f64)
    }

    func testLoadingConvertsBetweenFloatAndDouble() throws {
        let single = Network<Float>(config: Self.tiny, seed: 5)
        let (widened, _) = try decodeModel(encodeModel(single), as: Double.self)
        XCTAssertEqual(widened.parameterValues, single.parameterValues.map(Double.init))
        let double = Network<Double>(config: Self.tiny, seed: 5)
        let (narrowed, _) = try decodeModel(encodeModel(double), as: Float.self)
        XCTAssertEqual(narrowed.parameterValues, double.parameterValues.map { Float($0) })
    }

    /// Trains `updates` batches from a fresh network and trainer.
    private func freshRun(_ optimizer: OptimizerConfig, updates: Int) -> (Network<Float>, Trainer<Float>) {
        let network = Network<Float>(config: Self.tiny, seed: 21)
        let trainer = Trainer(network: network, optimizer: optimizer, threads: 2, dataSeed: 22)
        let task = CopyTask(minLength: 1, maxLength: 4)
        for _ in 0..<updates { trainer.train(on: task, batchSize: 3) }
        return (network, trainer)
    }

    func testResumedTrainingIsBitIdenticalToAnUninterruptedRun() throws {
        let task = CopyTask(minLength: 1, maxLength: 4)
        for optimizer in [OptimizerConfig.rmsprop, .adam] {
            let (straight, straightTrainer) = freshRun(optimizer, updates: 6)

            let (first, firstTrainer) = freshRun(optimizer, updates: 3)
            let bytes = encodeModel(first, trainer: firstTrainer)
            let (network, state) = try decodeModel(bytes, as: Float.self)
            let saved = try XCTUnwrap(state)
            XCTAssertEqual(saved, TrainerState(of: firstTrainer))
            XCTAssertEqual(saved.stepCount, 3)
            XCTAssertEqual(saved.sequencesSeen, 9)
            XCTAssertEqual(saved.optimizer, optimizer)
            let trainer = try saved.makeTrainer(network: network, threads: 1)
            for _ in 0..<3 { trainer.train(on: task, batchSize: 3) }

            XCTAssertNotEqual(bits(first.parameterValues), bits(straight.parameterValues))
            XCTAssertEqual(bits(network.parameterValues), bits(straight.parameterValues), "\(optimizer.kind)")
            XCTAssertEqual(trainer.optimizer.stepCount, 6)
            XCTAssertEqual(trainer.sequencesSeen, straightTrainer.sequencesSeen)
            XCTAssertEqual(trainer.dataGenerator.state, straightTrainer.dataGenerator.state)
            for (a, b) in zip(trainer.optimizer.stateBuffers, straightTrainer.optimizer.stateBuffers) {
                XCTAssertEqual(bits(Array(a.buffer)), bits(Array(b.buffer)), a.name)
            }
        }
    }

    func testResumeThroughFilesWithRestoreInto() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ntm-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.safetensors").path

        let task = CopyTask(minLength: 1, maxLength: 4)
        let (straight, _) = freshRun(.rmsprop, updates: 6)
        let (first, firstTrainer) = freshRun(.rmsprop, updates: 3)
        try saveModel(first, trainer: firstTrainer, to: path)
        let (network, state) = try loadModel(from: path, as: Float.self)
        let trainer = Trainer(network: network, optimizer: .rmsprop, threads: 2, dataSeed: 999)
        try XCTUnwrap(state).restore(into: trainer)
        for _ in 0..<3 { trainer.train(on: task, batchSize: 3) }
        XCTAssertEqual(bits(network.parameterValues), bits(straight.parameterValues))

        // The wrong optimiser kind is refused and changes nothing.
        let adamTrainer = Trainer(network: network, optimizer: .adam, dataSeed: 5)
        let before = adamTrainer.dataGenerator.state
        XCTAssertThrowsError(try XCTUnwrap(state).restore(into: adamTrainer)) { error in
            XCTAssertTrue((error as! CheckpointError).message.contains("adam"))
        }
        XCTAssertEqual(adamTrainer.dataGenerator.state, before)
        XCTAssertEqual(adamTrainer.optimizer.stepCount, 0)

        // Missing files are I/O errors.
        XCTAssertThrowsError(try loadModel(from: directory.appendingPathComponent("none").path, as: Float.self)) {
            XCTAssertEqual(($0 as! CheckpointError).kind, .io)
        }
        XCTAssertThrowsError(try saveModel(first, to: directory.appendingPathComponent("no/such/dir").path)) {
            XCTAssertEqual(($0 as! CheckpointError).kind, .io)
        }
    }

    func testACorruptedDataByteIsAChecksumError() {
        let bytes = encodeModel(Network<Float>(config: Self.tiny, seed: 1))
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        for offset in [8 + headerLength, 8 + headerLength + 1000, bytes.count - 1] {
            var corrupted = bytes
            corrupted[offset] ^= 0x10
            assertLoadFails(corrupted, .corrupted, "file is corrupted: checksum")
        }
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "checksum", "nothex!!") }, .invalid,
                        #""checksum" is "nothex!!""#)
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "checksum", nil) }, .invalid, #""checksum" is missing"#)
    }

    func testTruncatedAndForeignFilesAreNotCheckpoints() {
        let bytes = encodeModel(Network<Float>(config: Self.tiny, seed: 1))
        for length in [0, 5, 100, bytes.count / 2, bytes.count - 1] {
            assertLoadFails(Array(bytes.prefix(length)), .notCheckpoint, "not a valid safetensors file")
        }
        let foreign = SafeTensorsArchive(tensors: [SafeTensor(name: "weight", floats: [1, 2, 3])],
                                         metadata: [(key: "framework", value: "pt")]).encoded()
        assertLoadFails(foreign, .notCheckpoint, "not an ntm checkpoint", #"no "format""#)
        assertLoadFails(SafeTensorsArchive(tensors: [SafeTensor(name: "w", floats: [1])]).encoded(),
                        .notCheckpoint, "not an ntm checkpoint")
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "format", "gguf") }, .notCheckpoint, #""format" is "gguf""#)
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "format_version", "2") }, .notCheckpoint,
                        #"unsupported checkpoint format_version "2""#)
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "format_version", nil) }, .notCheckpoint, "format_version")
    }

    func testMissingRenamedExtraAndMisshapenTensorsAreNamed() {
        let network = Network<Float>(config: Self.tiny, seed: 1)
        let bytes = encodeModel(network)
        assertLoadFails(rewrite(bytes) { $0.tensors.removeAll { $0.name == "heads.kernel" } }, .invalid,
                        #"missing tensor "heads.kernel""#)
        assertLoadFails(rewrite(bytes) { archive in
            archive.tensors = archive.tensors.map { t in
                t.name == "output.bias" ? SafeTensor(name: "output.biases", dtype: t.dtype, shape: t.shape, data: t.data) : t
            }
        }, .invalid, #"missing tensor "output.bias""#, #""output.biases""#)
        assertLoadFails(rewrite(bytes) { $0.tensors.append(SafeTensor(name: "extra", floats: [1])) }, .invalid,
                        #"unexpected tensor "extra""#)
        assertLoadFails(rewrite(bytes) { $0.tensors.append(SafeTensor(name: "optimizer.adam.m", floats: [1])) },
                        .invalid, #""optimizer.adam.m" is trainer state"#)
        assertLoadFails(rewrite(bytes) { archive in
            archive.tensors = archive.tensors.map { t in
                t.name == "heads.kernel" ? SafeTensor(name: t.name, dtype: t.dtype, shape: t.shape.reversed(), data: t.data) : t
            }
        }, .invalid, #"tensor "heads.kernel" has shape"#)
        assertLoadFails(rewrite(bytes) { archive in
            archive.tensors = archive.tensors.map { t in
                t.name == "read0" ? SafeTensor(name: t.name, shape: t.shape, doubles: try! t.floats().map(Double.init)) : t
            }
        }, .invalid, #"tensor "read0" has dtype F64; expected F32"#)
    }

    func testBadMetadataAndValuesAreReported() {
        let network = Network<Float>(config: Self.tiny, seed: 1)
        let trainer = Trainer(network: network, optimizer: .adam, dataSeed: 2)
        let bytes = encodeModel(network, trainer: trainer)
        var bad = Self.tiny
        bad.readHeads = 0
        let badConfig = bad.jsonText
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "config", badConfig) }, .invalid,
                        "invalid model config in checkpoint", #""read_heads""#)
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "config", nil) }, .invalid, #""config" is missing"#)
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "dtype", "bfloat16") }, .invalid, #""dtype" is "bfloat16""#)
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "optimizer", #"{"kind":"adam","lr":1}"#) }, .invalid,
                        "invalid optimizer config in checkpoint", #""lr""#)
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "optimizer_steps", "-3") }, .invalid, #""optimizer_steps""#)
        assertLoadFails(rewrite(bytes) { setMetadata(&$0, "sequences_seen", nil) }, .invalid, #""sequences_seen""#)
        assertLoadFails(rewrite(bytes) { $0.tensors.removeAll { $0.name == "trainer.rng_state" } }, .invalid,
                        #"missing tensor "trainer.rng_state""#)
        assertLoadFails(rewrite(bytes, fixChecksum: true) { archive in
            archive.tensors = archive.tensors.map { t in
                t.name == "trainer.rng_state" ? SafeTensor(name: t.name, uint64s: [0, 0, 0, 0]) : t
            }
        }, .invalid, #""trainer.rng_state" is all zero"#)

        // A diverged network encodes (saving refuses it: see
        // testSavingRefusesNonFiniteValuesAndKeepsTheFile), but does not load.
        network.parameters[network.layout.tensor(named: "output.bias")!.offset + 2] = .nan
        assertLoadFails(encodeModel(network), .invalid, #"tensor "output.bias" holds a non-finite value"#,
                        "element 2")
        // A finite parameter beyond the limit.
        network.parameters[network.layout.tensor(named: "output.bias")!.offset + 2] = -2e6
        assertLoadFails(encodeModel(network), .invalid, #"tensor "output.bias""#, "(-2000000.0) beyond ±1e6")
        // Narrowing a value beyond Float's range.
        let double = Network<Double>(config: Self.tiny, seed: 1)
        double.parameters[0] = 1e300
        assertLoadFails(encodeModel(double), .invalid, #"tensor "controller.0.kernel""#, "too large for float32")
    }

    func testSavingRefusesNonFiniteValuesAndKeepsTheFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ntm-nonfinite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.safetensors").path
        let (network, trainer) = freshRun(.adam, updates: 2)
        try saveModel(network, trainer: trainer, to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        func assertRefused(_ what: String, _ fragments: String..., line: UInt = #line) {
            for withTrainer in [false, true] {
                XCTAssertThrowsError(try saveModel(network, trainer: withTrainer ? trainer : nil, to: path),
                                     what, line: line) { error in
                    let error = error as! CheckpointError
                    XCTAssertEqual(error.kind, .nonFinite, line: line)
                    for fragment in fragments { XCTAssertTrue(error.message.contains(fragment), error.message, line: line) }
                }
                XCTAssertEqual(try? Data(contentsOf: URL(fileURLWithPath: path)), good, "the file is kept", line: line)
            }
        }
        let bias = network.layout.tensor(named: "output.bias")!.offset + 2
        network.parameters[bias] = .infinity
        assertRefused("an infinite parameter", #"tensor "output.bias""#, "element 2", "nothing was written")
        network.parameters[bias] = 1.5e6
        assertRefused("a parameter beyond the limit", "a value beyond ±1e6 (1500000.0)", "loading would refuse")
        network.parameters[bias] = -1e6
        XCTAssertNoThrow(try checkSavable(network, trainer: trainer), "the limit itself is allowed")
        network.parameters[bias] = 0
        XCTAssertNoThrow(try checkSavable(network, trainer: trainer))

        // The optimiser state is checked only when the trainer is saved.
        let (name, state) = trainer.optimizer.stateBuffers[1]
        state[5] = .nan
        XCTAssertNoThrow(try saveModel(network, to: path))
        XCTAssertThrowsError(try saveModel(network, trainer: trainer, to: path)) { error in
            XCTAssertTrue((error as! CheckpointError).message.contains(#"optimiser state "\#(name)""#))
        }
    }

    func testLoadingDoesNotChangeAnExistingNetwork() throws {
        let existing = Network<Float>(config: Self.tiny, seed: 1)
        let before = bits(existing.parameterValues)
        let other = Network<Float>(config: Self.tiny, seed: 2)
        let (loaded, _) = try decodeModel(encodeModel(other), as: Float.self)
        XCTAssertFalse(loaded === existing)
        XCTAssertEqual(bits(existing.parameterValues), before)
        XCTAssertEqual(bits(loaded.parameterValues), bits(other.parameterValues))
        loaded.parameters[0] += 1
        XCTAssertEqual(bits(other.parameterValues)[0], bits(Network<Float>(config: Self.tiny, seed: 2).parameterValues)[0])
    }
}
