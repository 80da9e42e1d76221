/// What another implementation of the same network is checked against: for
/// one batch at given weights, every output probability, the loss and the
/// gradient of every parameter. The PyTorch fixture test and
/// `ntm-bench --export` (for `benchmarks/check_reference.py`) both compare
/// these, so they are computed in one place.
public struct ReferenceResults<T: NTMScalar> {
    /// Output probabilities `[sequence, step, output]`, each sequence padded
    /// to the batch's longest, zero past its own length.
    public var outputs: [T]
    /// The length every sequence is padded to in `outputs`.
    public var paddedLength: Int
    /// Cross-entropy in nats over the masked steps, the mean over the batch's
    /// sequences (what PyTorch's loss reports).
    public var loss: Double
    /// The gradient of `loss` with respect to every parameter, in the
    /// network's parameter order.
    public var gradient: [T]

    /// The results of `network`'s config with weights `values` on `batch`,
    /// computed in `T`: outputs step by step through an `InferenceStream`
    /// (the path a C user steps), loss and gradient by backpropagation
    /// through time on one thread.
    public init(_ config: ModelConfig, weights values: [T], batch: [TaskSequence]) {
        precondition(!batch.isEmpty, "a reference check needs at least one sequence")
        let network = Network<T>(config: config, parameters: values)
        let longest = batch.map(\.length).max()!, width = config.outputSize
        var outputs = [T](repeating: 0, count: batch.count * longest * width)
        let stream = InferenceStream(network: network)
        for (b, sequence) in batch.enumerated() {
            stream.reset()
            for t in 0..<sequence.length {
                let y = stream.step((0..<sequence.inputSize).map { T(sequence.inputs[t * sequence.inputSize + $0]) })
                for j in 0..<width { outputs[(b * longest + t) * width + j] = y[j] }
            }
        }
        let trainer = Trainer(network: network, optimizer: .rmsprop, threads: 1)
        let lossBits = trainer.computeGradient(batch).lossBits
        self.outputs = outputs
        paddedLength = longest
        loss = lossBits * Double.log(2) / Double(batch.count)
        gradient = Array(trainer.gradient)
    }
}
