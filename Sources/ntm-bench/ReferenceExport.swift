// `ntm-bench --export DIR`: the files of benchmarks/check_reference.py, which
// compares our outputs, loss and gradients with the PyTorch reference's.

import NTM
#if canImport(Glibc)
import Glibc
#endif

/// The configurations of the reference check: two small ones that reach the
/// corners (two controller layers, several heads — the multi-head write
/// path —, shift range 2, learned or random initial memory, tanh adds) and
/// the paper's two copy networks, the LSTM one also after 300 Adam updates
/// (`trainedUpdates`), whose sharper weightings (larger β and γ) exercise
/// the addressing far from its initial state.
func exportCases() throws -> [(name: String, config: ModelConfig, batch: [TaskSequence], trainedUpdates: Int)] {
    var rng = SeededGenerator(seed: 11)
    func randomBatch(_ lengths: [Int], inputs: Int, outputs: Int) -> [TaskSequence] {
        lengths.map { length in
            var s = TaskSequence(length: length, inputSize: inputs, outputSize: outputs)
            for k in 0..<s.inputs.count { s.inputs[k] = rng.bit() ? Float(rng.uniform(-1.0, 1.0)) : 0 }
            for k in 0..<s.targets.count { s.targets[k] = rng.bit() ? 1 : 0 }
            for t in 0..<length { s.mask[t] = rng.uniform(0.0, 1.0) < 0.7 ? 1 : 0 }
            s.mask[length - 1] = 1
            return s
        }
    }
    let feedforward = ModelConfig(inputSize: 4, outputSize: 3, controller: .feedforward, controllerLayers: [16, 12],
                                  readHeads: 2, writeHeads: 2, memoryRows: 8, memoryWidth: 5, shiftRange: 1,
                                  initialMemory: .learned, addActivation: .tanh)
    let lstm = ModelConfig(inputSize: 5, outputSize: 4, controller: .lstm, controllerLayers: [12, 10],
                           readHeads: 1, writeHeads: 2, memoryRows: 10, memoryWidth: 6, shiftRange: 2,
                           initialMemory: .random)
    let copyTask = CopyTask(minLength: 1, maxLength: 20)
    func copyBatch() -> [TaskSequence] { [copyTask.sample(length: 20, using: &rng), copyTask.sample(length: 7, using: &rng)] }
    return [
        ("ff-small", feedforward, randomBatch([5, 9, 7], inputs: 4, outputs: 3), 0),
        ("lstm-small", lstm, randomBatch([6, 11, 4], inputs: 5, outputs: 4), 0),
        ("copy-lstm", try Presets.named("copy/ntm-lstm").model, copyBatch(), 0),
        ("copy-ff", try Presets.named("copy/ntm-feedforward").model, copyBatch(), 0),
        ("copy-lstm-trained", try Presets.named("copy/ntm-lstm").model, copyBatch(), 300),
    ]
}

func export(to directory: String) {
    mkdir(directory, 0o755)
    do {
        for (name, config, batch, trainedUpdates) in try exportCases() {
            let dir = directory + "/" + name
            mkdir(dir, 0o755)
            let network = Network<Float>(config: config, seed: 5)
            if trainedUpdates > 0 {
                let trainer = Trainer(network: network, optimizer: .adam, threads: 1, dataSeed: 9)
                let task = CopyTask(minLength: 1, maxLength: 20)
                for _ in 0..<trainedUpdates { trainer.train(on: task, batchSize: 1) }
            }
            try saveModel(network, to: dir + "/model.safetensors")
            let layout = network.layout
            let longest = batch.map(\.length).max()!
            let x = config.inputSize, y = config.outputSize
            var inputs = [Float](repeating: 0, count: batch.count * longest * x)
            var targets = [Float](repeating: 0, count: batch.count * longest * y)
            var mask = [Float](repeating: 0, count: batch.count * longest)
            for (b, s) in batch.enumerated() {
                for k in 0..<s.inputs.count { inputs[b * longest * x + k] = s.inputs[k] }
                for k in 0..<s.targets.count { targets[b * longest * y + k] = s.targets[k] }
                for t in 0..<s.length { mask[b * longest + t] = s.mask[t] }
            }
            let batchArchive = SafeTensorsArchive(tensors: [
                SafeTensor(name: "inputs", shape: [batch.count, longest, x], floats: inputs),
                SafeTensor(name: "targets", shape: [batch.count, longest, y], floats: targets),
                SafeTensor(name: "mask", shape: [batch.count, longest], floats: mask),
                SafeTensor(name: "lengths", shape: [batch.count], int64s: batch.map { Int64($0.length) }),
            ])
            try writeFileAtomically(atPath: dir + "/batch.safetensors", bytes: batchArchive.encoded())

            let weights = network.parameterValues
            let single = ReferenceResults(config, weights: weights, batch: batch)
            let double = ReferenceResults(config, weights: weights.map(Double.init), batch: batch)
            func archive<T: NTMScalar>(_ r: ReferenceResults<T>) -> [UInt8] {
                func tensor(_ name: String, _ shape: [Int], _ v: [T]) -> SafeTensor {
                    T.self == Float.self ? SafeTensor(name: name, shape: shape, floats: v.map { Float($0) })
                        : SafeTensor(name: name, shape: shape, doubles: v.map { Double($0) })
                }
                var tensors = [tensor("outputs", [batch.count, longest, y], r.outputs),
                               SafeTensor(name: "loss", shape: [1], doubles: [r.loss])]
                for t in layout.tensors {
                    tensors.append(tensor("grad." + t.name, t.shape, Array(r.gradient[t.range])))
                }
                return SafeTensorsArchive(tensors: tensors, metadata: [(key: "dtype", value: T.name)]).encoded()
            }
            try writeFileAtomically(atPath: dir + "/ours_float32.safetensors", bytes: archive(single))
            try writeFileAtomically(atPath: dir + "/ours_float64.safetensors", bytes: archive(double))
            print("exported \(dir): \(layout.count) parameters, batch \(batch.map(\.length)), "
                  + "loss \(single.loss) (float32) / \(double.loss) (float64)")
        }
    } catch {
        print("ntm-bench: export failed: \(error)")
        exit(1)
    }
}
