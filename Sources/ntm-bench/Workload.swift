import NTM

/// The configurations benchmarked by default, by short key. `lstm` is the
/// paper's LSTM baseline for copy (3 layers of 256), compared with PyTorch's
/// `nn.LSTM` of the same size.
let benchConfigs: [(key: String, preset: String)] = [
    ("copy", "copy/ntm-lstm"),
    ("priority-sort", "priority-sort/ntm-feedforward"),
    ("associative-recall", "associative-recall/ntm-feedforward"),
    ("lstm", "copy/lstm"),
]

/// A configuration to measure: a preset and a fixed pool of sequences,
/// cycled through in order by every measurement (so that every repeat, and
/// the PyTorch benchmark reading the same lengths, sees the same work).
struct Workload {
    let key: String
    let preset: Preset
    let pool: [TaskSequence]

    init(key: String, presetName: String) throws {
        self.key = key
        preset = try Presets.named(presetName)
        var rng = SeededGenerator(seed: 7)
        if preset.task == "copy" {
            // Copy lengths 1…20, each once, in a fixed shuffled order.
            let task = CopyTask(minLength: 1, maxLength: 20)
            var lengths = Array(1...20)
            lengths.shuffle(using: &rng)
            pool = lengths.map { task.sample(length: $0, using: &rng) }
        } else {
            let task = try TaskDescriptor.named(preset.task).make()
            pool = (0..<20).map { _ in task.sample(using: &rng) }
        }
    }

    var lengths: [Int] { pool.map(\.length) }
}
