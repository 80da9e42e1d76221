/// One time step of the whole machine (paper §3, in the order of
/// docs/MODEL.md, "One step, in order"): controller, head parameters, write heads (addressing
/// `M_{t−1}`), erase and add, read heads (addressing `M_t`), output layer.
/// Forward and backward of the step sit side by side; the stages they call
/// live in `Controller.swift`, `Addressing.swift` and `Memory.swift`.
///
/// A step reads its previous state from record `previous` and writes its own
/// into record `current` (see `StepLayout`).
struct Machine<T: NTMScalar> {
    let config: ModelConfig
    let layout: ParameterLayout
    let steps: StepLayout
    let state: StateGradientLayout
    let stepGradients: StepGradientLayout
    let addressing: Addressing<T>
    let memory: MemoryAccess<T>
    let feedforward: [FeedforwardLayer<T>]
    let lstm: [LSTMLayer<T>]

    init(config: ModelConfig, layout: ParameterLayout, steps: StepLayout) {
        self.config = config
        self.layout = layout
        self.steps = steps
        state = StateGradientLayout(config)
        stepGradients = StepGradientLayout(config)
        addressing = Addressing(rows: config.memoryRows, width: config.memoryWidth, shiftRange: config.shiftRange)
        memory = MemoryAccess(rows: config.memoryRows, width: config.memoryWidth)
        let layers = layout.controllerLayers
        feedforward = config.controller == .feedforward
            ? layers.map { FeedforwardLayer(inputs: $0.inputs, units: $0.units, kernel: $0.kernel, bias: $0.bias) } : []
        lstm = config.controller == .lstm
            ? layers.map { LSTMLayer(inputs: $0.inputs, units: $0.units, kernel: $0.kernel, bias: $0.bias) } : []
    }

    var writeHeads: ArraySlice<StepLayout.Head> { steps.heads[0..<config.writeHeads] }
    var readHeads: ArraySlice<StepLayout.Head> { steps.heads[config.writeHeads...] }
    var hiddenSize: Int { config.controllerOutputSize }

    // MARK: Initial state

    /// Record 0 of a sequence: the learned initial reads, weightings
    /// (softmax of learned logits), controller state, and `M_0`.
    func initialState(_ p: UnsafePointer<T>, into r: UnsafeMutablePointer<T>) {
        for (l, layer) in layout.controllerLayers.enumerated() where config.controller == .lstm {
            copyValues(p + layer.initialHidden, r + steps.layers[l].hidden, count: layer.units)
            copyValues(p + layer.initialCell, r + steps.layers[l].cell, count: layer.units)
        }
        guard config.usesMemory else { return }
        let n = config.memoryRows, m = config.memoryWidth
        copyValues(p + layout.initialReads, r + steps.reads, count: config.readHeads * m)
        for (h, head) in steps.heads.enumerated() {
            softmax(p + layout.initialWeightingLogits + h * n, r + head.weighting, count: n)
        }
        if let offset = layout.initialMemory {
            memory.copy(rowMajor: p + offset, into: r + steps.memory)   // memory0 is row-major
        } else {
            (r + steps.memory).update(repeating: T(config.initialMemoryValue), count: n * m)
        }
        memory.rowNorms(r + steps.memory, into: r + steps.rowNorms)
    }

    /// Gradients of the initial state (in `dState`) into the parameters.
    func initialStateBackward(_ g: UnsafeMutablePointer<T>, record r: UnsafePointer<T>, dState s: UnsafePointer<T>) {
        for (l, layer) in layout.controllerLayers.enumerated() where config.controller == .lstm {
            addAccumulate(s + state.hidden[l], g + layer.initialHidden, count: layer.units)
            addAccumulate(s + state.cell[l], g + layer.initialCell, count: layer.units)
        }
        guard config.usesMemory else { return }
        let n = config.memoryRows, m = config.memoryWidth
        addAccumulate(s + state.reads, g + layout.initialReads, count: config.readHeads * m)
        for (h, head) in steps.heads.enumerated() {
            softmaxBackward(r + head.weighting, s + state.weighting(h), g + layout.initialWeightingLogits + h * n, count: n)
        }
        if let offset = layout.initialMemory {
            memory.accumulate(s + state.memory, intoRowMajor: g + offset)
        }
    }

    // MARK: Forward

    func forward(_ p: UnsafePointer<T>, input x: UnsafePointer<T>,
                 previous prev: UnsafePointer<T>, current cur: UnsafeMutablePointer<T>) {
        let inputSize = config.inputSize
        // Controller input u_t = [x_t ; r_{t−1}].
        let u = cur + steps.controllerInput
        copyValues(x, u, count: inputSize)
        copyValues(prev + steps.reads, u + inputSize, count: config.readHeads * config.memoryWidth)

        // Controller.
        for (l, layer) in steps.layers.enumerated() {
            let input = l == 0 ? UnsafePointer(u) : UnsafePointer(cur + steps.layers[l - 1].output)
            if config.controller == .feedforward {
                feedforward[l].forward(p, input: input, activation: cur + layer.activations)
            } else {
                lstm[l].forward(p, input: input, previousHidden: prev + layer.hidden, previousCell: prev + layer.cell,
                                gates: cur + layer.activations, cell: cur + layer.cell,
                                tanhCell: cur + layer.tanhCell, hidden: cur + layer.hidden)
            }
        }
        let h = UnsafePointer(cur + steps.controllerOutput)

        if config.usesMemory {
            // Head parameters o_t = W_h h_t + b_h.
            let raw = cur + steps.headRaw
            let rawCount = config.headsRawSize
            copyValues(p + layout.headsBias, raw, count: rawCount)
            matVecAccumulate(p + layout.headsKernel, rows: rawCount, cols: hiddenSize, h, raw)

            // Write heads address M_{t−1}; e = σ(ê), a = â or tanh(â).
            let m = config.memoryWidth
            for head in writeHeads {
                addressing.forward(raw: raw + head.raw, memory: prev + steps.memory, rowNorms: prev + steps.rowNorms,
                                   previous: prev + head.weighting, record: cur, head: head)
                let eraseRaw = raw + head.raw + config.readHeadRawSize, addRaw = eraseRaw + m
                for j in 0..<m {
                    cur[head.erase + j] = sigmoid(eraseRaw[j])
                    cur[head.add + j] = config.addActivation == .tanh ? T.tanh(addRaw[j]) : addRaw[j]
                }
            }
            memory.write(previous: prev + steps.memory, record: cur, heads: writeHeads, into: cur + steps.memory)
            memory.rowNorms(cur + steps.memory, into: cur + steps.rowNorms)

            // Read heads address M_t and read it.
            for (k, head) in readHeads.enumerated() {
                addressing.forward(raw: raw + head.raw, memory: cur + steps.memory, rowNorms: cur + steps.rowNorms,
                                   previous: prev + head.weighting, record: cur, head: head)
                memory.read(cur + steps.memory, weighting: cur + head.weighting, into: cur + steps.reads + k * m)
            }
        }

        // Output y_t = σ(W_y [h_t ; r_t] + b_y).
        let rows = config.outputSize
        let logits = cur + steps.logits
        copyValues(p + layout.outputBias, logits, count: rows)
        matVecAccumulate(p + layout.outputKernel, rows: rows, cols: hiddenSize, h, logits)
        matVecAccumulate(p + layout.outputKernel + hiddenSize * rows, rows: rows,
                         cols: config.readHeads * config.memoryWidth, cur + steps.reads, logits)
        for i in 0..<rows { cur[steps.outputs + i] = sigmoid(logits[i]) }
    }

    // MARK: Backward

    /// Backward through one step. `dCurrent` holds the gradients that later
    /// steps sent to this step's state (memory, reads, weightings, controller
    /// state); this step adds its own uses to it and sends gradients of the
    /// previous state into `dPrevious`, which the caller has zeroed.
    /// The gradients of this step's pre-activations (controller layers and
    /// head parameters) go to `stepGradient` (see `StepGradientLayout`); the
    /// weight gradients are formed from them once the whole sequence is
    /// done (`weightGradients`). The input gradient, when `dInput` is
    /// given, is added there.
    func backward(_ p: UnsafePointer<T>, dLogits: UnsafePointer<T>,
                  previous prev: UnsafePointer<T>, current cur: UnsafePointer<T>,
                  dCurrent dc: UnsafeMutablePointer<T>, dPrevious dp: UnsafeMutablePointer<T>,
                  stepGradient sg: UnsafeMutablePointer<T>, scratch: BackwardScratch<T>,
                  dInput: UnsafeMutablePointer<T>?) {
        let dHidden = scratch.controllerOutput
        zero(dHidden, count: hiddenSize)
        let readWidth = config.readHeads * config.memoryWidth

        // Output layer.
        let rows = config.outputSize
        matTransposeVecAccumulate(p + layout.outputKernel, rows: rows, cols: hiddenSize, dLogits, dHidden)
        matTransposeVecAccumulate(p + layout.outputKernel + hiddenSize * rows, rows: rows, cols: readWidth,
                                  dLogits, dc + state.reads)

        if config.usesMemory {
            let n = config.memoryRows, m = config.memoryWidth
            let raw = cur + steps.headRaw, dRaw = sg + stepGradients.headRaw
            let rawCount = config.headsRawSize
            zero(dRaw, count: rawCount)
            let addressingScratch = Addressing<T>.Scratch(a: scratch.addressing, b: scratch.addressing + n,
                                                          c: scratch.addressing + 2 * n)
            // Read heads: r = Mᵀw, then their addressing of M_t.
            for (k, head) in readHeads.enumerated() {
                let index = config.writeHeads + k
                memory.readBackward(dRead: dc + state.reads + k * m, memory: cur + steps.memory,
                                    weighting: cur + head.weighting, dWeighting: dc + state.weighting(index),
                                    dMemory: dc + state.memory)
                addressing.backward(dWeighting: dc + state.weighting(index), raw: raw + head.raw,
                                    memory: cur + steps.memory, rowNorms: cur + steps.rowNorms,
                                    previous: prev + head.weighting, record: cur, head: head,
                                    scratch: addressingScratch, dRaw: dRaw + head.raw,
                                    dMemory: dc + state.memory, dPrevious: dp + state.weighting(index))
            }
            // Erase and add, then the write heads' addressing of M_{t−1}.
            let dEraseAdd = scratch.eraseAdd
            zero(dEraseAdd, count: 2 * m * config.writeHeads)
            memory.writeBackward(dMemory: dc + state.memory, previous: prev + steps.memory, record: cur,
                                 heads: writeHeads, dPrevious: dp + state.memory,
                                 dWeightings: dc + state.weighting(0), dEraseAdd: dEraseAdd,
                                 scratch: scratch.write)
            for (k, head) in writeHeads.enumerated() {
                addressing.backward(dWeighting: dc + state.weighting(k), raw: raw + head.raw,
                                    memory: prev + steps.memory, rowNorms: prev + steps.rowNorms,
                                    previous: prev + head.weighting, record: cur, head: head,
                                    scratch: addressingScratch, dRaw: dRaw + head.raw,
                                    dMemory: dp + state.memory, dPrevious: dp + state.weighting(k))
                let dEraseRaw = dRaw + head.raw + config.readHeadRawSize, dAddRaw = dEraseRaw + m
                let dErase = dEraseAdd + 2 * k * m, dAdd = dErase + m
                for j in 0..<m {
                    let e = cur[head.erase + j], a = cur[head.add + j]
                    dEraseRaw[j] += dErase[j] * e * (1 - e)
                    dAddRaw[j] += config.addActivation == .tanh ? dAdd[j] * (1 - a * a) : dAdd[j]
                }
            }
            // Head parameters o_t = W_h h_t + b_h.
            matTransposeVecAccumulate(p + layout.headsKernel, rows: rawCount, cols: hiddenSize, dRaw, dHidden)
        }

        // Controller, top layer first. Each layer's input gradient lands in
        // the hidden-state gradient of the layer below at this same step.
        let top = steps.layers.count - 1
        addAccumulate(dHidden, dc + state.hidden[top], count: hiddenSize)
        let dU = scratch.controllerInput
        zero(dU, count: config.controllerInputSize)
        for l in stride(from: top, through: 0, by: -1) {
            let layer = steps.layers[l]
            let dIn = l == 0 ? dU : dc + state.hidden[l - 1]
            let dPre = sg + stepGradients.layers[l]
            // Without `dInput`, nobody reads ∂L/∂x_t: only r_{t−1}'s part of u_t is needed.
            let unwanted = l == 0 && dInput == nil ? config.inputSize : 0
            if config.controller == .feedforward {
                feedforward[l].backward(p, activation: cur + layer.activations, dActivation: dc + state.hidden[l],
                                        dPreActivation: dPre, dInput: dIn, unwantedInputs: unwanted)
            } else {
                lstm[l].backward(p, previousCell: prev + layer.cell, gates: cur + layer.activations,
                                 tanhCell: cur + layer.tanhCell, dHidden: dc + state.hidden[l],
                                 dCell: dc + state.cell[l], dGates: dPre, dInput: dIn, unwantedInputs: unwanted,
                                 dPreviousHidden: dp + state.hidden[l], dPreviousCell: dp + state.cell[l])
            }
        }
        // u_t = [x_t ; r_{t−1}]
        if let dInput { addAccumulate(dU, dInput, count: config.inputSize) }
        addAccumulate(dU + config.inputSize, dp + state.reads, count: readWidth)
    }
}

extension Machine {
    /// The weight and bias gradients of a whole sequence, from the records
    /// of its `length` steps (record `t + 1` holds step `t`, `recordSize`
    /// apart), the per-step output-logit gradients (`outputSize` apart) and
    /// the per-step pre-activation gradients that `backward` left.
    func weightGradients(_ g: UnsafeMutablePointer<T>, records: UnsafePointer<T>, dLogits: UnsafePointer<T>,
                         stepGradients sg: UnsafePointer<T>, length: Int) {
        let stride = steps.size, gradientStride = stepGradients.size
        let current = records + stride   // record of step 0
        for (l, layer) in steps.layers.enumerated() {
            let input = l == 0 ? steps.controllerInput : steps.layers[l - 1].output
            if config.controller == .feedforward {
                feedforward[l].weightGradients(g, dPreActivations: sg + stepGradients.layers[l], stride: gradientStride,
                                               inputs: current + input, inputStride: stride, steps: length)
            } else {
                lstm[l].weightGradients(g, dGates: sg + stepGradients.layers[l], stride: gradientStride,
                                        inputs: current + input, previousHidden: records + layer.hidden,
                                        recordStride: stride, steps: length)
            }
        }
        let hidden = current + steps.controllerOutput
        if config.usesMemory {
            let rawCount = config.headsRawSize
            sumAccumulateSteps(g + layout.headsBias, count: rawCount, a: sg + stepGradients.headRaw,
                               stride: gradientStride, steps: length)
            outerAccumulateSteps(g + layout.headsKernel, rows: rawCount, cols: hiddenSize,
                                 a: sg + stepGradients.headRaw, aStride: gradientStride,
                                 b: hidden, bStride: stride, steps: length)
        }
        let rows = config.outputSize
        sumAccumulateSteps(g + layout.outputBias, count: rows, a: dLogits, stride: rows, steps: length)
        outerAccumulateSteps(g + layout.outputKernel, rows: rows, cols: hiddenSize,
                             a: dLogits, aStride: rows, b: hidden, bStride: stride, steps: length)
        outerAccumulateSteps(g + layout.outputKernel + hiddenSize * rows, rows: rows,
                             cols: config.readHeads * config.memoryWidth,
                             a: dLogits, aStride: rows, b: current + steps.reads, bStride: stride, steps: length)
    }
}

/// Where each step's pre-activation gradients live: the controller layers'
/// (feedforward `units`, LSTM `4 × units`) and the head parameters'. The
/// weight gradients are formed from them over the whole sequence at once.
struct StepGradientLayout: Sendable {
    let layers: [Int]
    let headRaw: Int
    let size: Int

    init(_ config: ModelConfig) {
        var size = 0
        func take(_ n: Int) -> Int { defer { size += n }; return size }
        layers = config.controllerLayers.map { take(config.controller == .lstm ? 4 * $0 : $0) }
        headRaw = take(config.usesMemory ? config.headsRawSize : 0)
        self.size = size
    }
}

/// Where the gradient of each part of a step's state lives in one flat
/// buffer: what a step sends back to the step before it.
struct StateGradientLayout: Sendable {
    let memory: Int, reads: Int, weightings: Int, rows: Int
    let hidden: [Int], cell: [Int]
    let size: Int

    init(_ config: ModelConfig) {
        var size = 0
        func take(_ n: Int) -> Int { defer { size += n }; return size }
        let usesMemory = config.usesMemory
        memory = take(usesMemory ? config.memoryRows * config.memoryWidth : 0)
        reads = take(config.readHeads * config.memoryWidth)
        rows = usesMemory ? config.memoryRows : 0
        weightings = take(config.headCount * rows)
        hidden = config.controllerLayers.map { take($0) }
        cell = config.controllerLayers.map { take($0) }
        self.size = size
    }

    func weighting(_ head: Int) -> Int { weightings + head * rows }
}

/// Scratch vectors for `Machine.backward`, owned by a workspace.
struct BackwardScratch<T: NTMScalar> {
    let controllerOutput: UnsafeMutablePointer<T>
    let controllerInput: UnsafeMutablePointer<T>
    let addressing: UnsafeMutablePointer<T>
    let eraseAdd: UnsafeMutablePointer<T>
    let write: UnsafeMutablePointer<T>

    static func size(_ config: ModelConfig) -> Int {
        config.controllerOutputSize + config.controllerInputSize
            + (config.usesMemory ? 3 * config.memoryRows : 0)
            + 2 * config.memoryWidth * config.writeHeads
            + writeScratchSize(config)
    }

    /// `MemoryAccess.writeBackward`'s scratch: vectors over the memory rows.
    private static func writeScratchSize(_ config: ModelConfig) -> Int {
        config.usesMemory ? 2 * config.memoryRows * config.writeHeads + 2 * config.memoryRows : 0
    }

    init(_ config: ModelConfig, base: UnsafeMutablePointer<T>) {
        var next = base
        func take(_ n: Int) -> UnsafeMutablePointer<T> { defer { next += n }; return next }
        controllerOutput = take(config.controllerOutputSize)
        controllerInput = take(config.controllerInputSize)
        addressing = take(config.usesMemory ? 3 * config.memoryRows : 0)
        eraseAdd = take(2 * config.memoryWidth * config.writeHeads)
        write = take(Self.writeScratchSize(config))
    }
}
