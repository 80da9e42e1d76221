/// The layout of everything one time step computes and the backward pass
/// needs again: one flat record of `size` scalars per step. A sequence's
/// tape is `length + 1` records back to back (record 0 holds the initial
/// state), and an inference stream needs only two, used in turn.
///
/// Heads are numbered write heads first (they act first within a step),
/// then read heads.
struct StepLayout: Sendable {
    struct ControllerLayer: Sendable {
        /// Feedforward: the activation. LSTM: gates i, f, o, g after squashing.
        var activations: Int
        /// LSTM only.
        var cell = 0, tanhCell = 0, hidden = 0
        /// Where this layer's output lives in the record.
        var output: Int
    }

    struct Head: Sendable {
        /// Offset of this head's raw values inside `headRaw`.
        var raw: Int
        /// β, g, γ and `‖k‖` after squashing.
        var strength: Int, gate: Int, sharpening: Int, keyNorm: Int
        var shift: Int
        var similarity: Int, content: Int, gated: Int, shifted: Int, weighting: Int
        var erase = 0, add = 0   // write heads only
    }

    let controllerInput: Int
    let layers: [ControllerLayer]
    let headRaw: Int
    let heads: [Head]
    let memory: Int
    let rowNorms: Int
    let reads: Int
    let logits: Int
    let outputs: Int
    let size: Int

    init(_ config: ModelConfig) {
        var size = 0
        func take(_ n: Int) -> Int { defer { size += n }; return size }
        controllerInput = take(config.controllerInputSize)
        var layers: [ControllerLayer] = []
        for units in config.controllerLayers {
            switch config.controller {
            case .feedforward:
                let a = take(units)
                layers.append(ControllerLayer(activations: a, output: a))
            case .lstm:
                var layer = ControllerLayer(activations: take(4 * units), output: 0)
                layer.cell = take(units)
                layer.tanhCell = take(units)
                layer.hidden = take(units)
                layer.output = layer.hidden
                layers.append(layer)
            }
        }
        self.layers = layers
        headRaw = take(config.usesMemory ? config.headsRawSize : 0)
        var heads: [Head] = []
        var raw = 0
        let n = config.memoryRows, m = config.memoryWidth
        for h in 0..<config.headCount {
            let isWrite = h < config.writeHeads
            var head = Head(raw: raw, strength: take(1), gate: take(1), sharpening: take(1), keyNorm: take(1),
                            shift: take(config.shiftCount), similarity: take(n), content: take(n),
                            gated: take(n), shifted: take(n), weighting: take(n))
            if isWrite {
                head.erase = take(m)
                head.add = take(m)
            }
            raw += isWrite ? config.writeHeadRawSize : config.readHeadRawSize
            heads.append(head)
        }
        self.heads = heads
        memory = take(config.usesMemory ? n * m : 0)
        rowNorms = take(config.usesMemory ? n : 0)
        reads = take(config.readHeads * m)
        logits = take(config.outputSize)
        outputs = take(config.outputSize)
        self.size = size
    }

    var controllerOutput: Int { layers[layers.count - 1].output }
}
