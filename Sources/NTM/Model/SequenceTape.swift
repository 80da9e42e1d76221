/// Everything one sequence needs for backpropagation through time: the
/// records of every step (the tape), the gradients a step sends back to the
/// one before, the output-gradient buffer and the backward scratch. Owned by
/// one worker at a time; it grows to the longest sequence it has seen and is
/// reused, so a steady state allocates nothing.
final class SequenceTape<T: NTMScalar> {
    let machine: Machine<T>
    private(set) var capacity = 0
    private var records: UnsafeMutablePointer<T>
    /// `∂L/∂logits`, one row of `outputSize` per step.
    private(set) var dLogits: UnsafeMutablePointer<T>
    /// Each step's pre-activation gradients (`StepGradientLayout`).
    private var stepGradients: UnsafeMutablePointer<T>
    private let stateGradients: UnsafeMutablePointer<T>
    private let scratchBuffer: UnsafeMutablePointer<T>
    private let scratch: BackwardScratch<T>
    private(set) var length = 0
    /// The bound of the per-step BPTT clip (`boundCarriedGradients`);
    /// tests set `.infinity` to get the unbounded gradient.
    var carriedWeightingBound = SequenceTape.defaultCarriedWeightingBound

    init(machine: Machine<T>, capacity: Int = 0) {
        self.machine = machine
        records = .allocate(capacity: machine.steps.size)
        dLogits = .allocate(capacity: 1)
        stepGradients = .allocate(capacity: 1)
        stateGradients = .allocate(capacity: 2 * max(machine.state.size, 1))
        let scratchSize = BackwardScratch<T>.size(machine.config)
        scratchBuffer = .allocate(capacity: max(scratchSize, 1))
        scratch = BackwardScratch(machine.config, base: scratchBuffer)
        reserve(capacity)
    }

    deinit {
        records.deallocate()
        dLogits.deallocate()
        stepGradients.deallocate()
        stateGradients.deallocate()
        scratchBuffer.deallocate()
    }

    /// Makes room for sequences of `steps` time steps.
    func reserve(_ steps: Int) {
        guard steps > capacity else { return }
        records.deallocate()
        dLogits.deallocate()
        records = .allocate(capacity: (steps + 1) * machine.steps.size)
        records.initialize(repeating: 0, count: (steps + 1) * machine.steps.size)
        dLogits = .allocate(capacity: steps * machine.config.outputSize)
        stepGradients.deallocate()
        stepGradients = .allocate(capacity: max(steps * machine.stepGradients.size, 1))
        capacity = steps
    }

    /// Record `t + 1` holds step `t`; record 0 the initial state.
    @inline(__always)
    func record(_ index: Int) -> UnsafeMutablePointer<T> { records + index &* machine.steps.size }

    /// The output probabilities `y_t` of step `t` of the last forward pass.
    func outputs(step t: Int) -> UnsafePointer<T> { UnsafePointer(record(t + 1) + machine.steps.outputs) }

    /// The output logits `z_t` of step `t` of the last forward pass.
    func logits(step t: Int) -> UnsafePointer<T> { UnsafePointer(record(t + 1) + machine.steps.logits) }

    /// Runs the machine over `length` steps of `inputs` (step-major), from
    /// `initialState` (in `CarriedStateLayout`) when given, otherwise from
    /// the learned initial state.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward(_ p: UnsafePointer<T>, inputs: UnsafePointer<T>, length: Int,
                 initialState: UnsafePointer<T>? = nil) {
        reserve(length)
        self.length = length
        if let initialState {
            machine.unpackState(initialState, into: record(0))
        } else {
            machine.initialState(p, into: record(0))
        }
        let inputSize = machine.config.inputSize
        for t in 0..<length {
            machine.forward(p, input: inputs + t &* inputSize, previous: record(t), current: record(t + 1))
        }
    }

    /// Binary cross-entropy of the last forward pass against `targets`,
    /// summed over output bits and over steps weighted by `mask`, in nats;
    /// and the bit errors (output on the wrong side of ½) over masked steps.
    /// Leaves `∂L/∂logits = mask (y − target)` in `dLogits`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func loss(targets: UnsafePointer<T>, mask: UnsafePointer<T>) -> (loss: Double, bitErrors: Int) {
        let width = machine.config.outputSize
        var total: Double = 0
        var errors = 0
        for t in 0..<length {
            let z = record(t + 1) + machine.steps.logits
            let y = record(t + 1) + machine.steps.outputs
            let target = targets + t &* width, dz = dLogits + t &* width
            let weight = mask[t]
            if weight == 0 {
                zero(dz, count: width)
                continue
            }
            var stepLoss: T = 0
            for j in 0..<width {
                // −[τ log σ(z) + (1 − τ) log(1 − σ(z))] = softplus(z) − τ z
                stepLoss += softplus(z[j]) - target[j] * z[j]
                dz[j] = weight * (y[j] - target[j])
                if (z[j] > 0) != (target[j] > 0.5) { errors += 1 }
            }
            total += Double(weight * stepLoss)
        }
        return (total, errors)
    }

    /// Sets `∂L/∂logits` from caller-supplied gradients of the outputs
    /// `y = σ(z)`: `∂L/∂z = ∂L/∂y · y (1 − y)`.
    func setOutputGradients(_ dOutputs: UnsafePointer<T>) {
        let width = machine.config.outputSize
        for t in 0..<length {
            let y = record(t + 1) + machine.steps.outputs
            for j in 0..<width {
                dLogits[t &* width + j] = dOutputs[t &* width + j] * y[j] * (1 - y[j])
            }
        }
    }

    /// Sets `∂L/∂logits` directly, for a caller whose loss takes the logits.
    func setLogitGradients(_ dLogitsGiven: UnsafePointer<T>) {
        copyValues(dLogitsGiven, dLogits, count: length &* machine.config.outputSize)
    }

    /// Backpropagation through time over the last forward pass, from the
    /// output gradients in `dLogits`. Parameter gradients accumulate into `g`
    /// (zeroed first with `zeroingGradient`); input gradients, when `dInputs`
    /// is given, are written there.
    ///
    /// For a sequence cut into chunks: `dFinalState`, when given, is the
    /// gradient that later chunks send to the state after the last step
    /// (`CarriedStateLayout`); `dInitialState`, when given, receives the
    /// gradient of the state before the first step. That state's gradient
    /// reaches the learned initial-state parameters only when
    /// `learnedInitialState` is true, i.e. when the forward pass started
    /// from them rather than from a state the caller gave.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backward(_ p: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>, dInputs: UnsafeMutablePointer<T>?,
                  zeroingGradient: Bool = false, dFinalState: UnsafePointer<T>? = nil,
                  dInitialState: UnsafeMutablePointer<T>? = nil, learnedInitialState: Bool = true) {
        let stateSize = machine.state.size
        var dCurrent = stateGradients, dPrevious = stateGradients + stateSize
        if let dFinalState {
            machine.unpackStateGradient(dFinalState, into: dCurrent)
        } else {
            zero(dCurrent, count: stateSize)
        }
        let inputSize = machine.config.inputSize, width = machine.config.outputSize
        if let dInputs { zero(dInputs, count: length * inputSize) }
        for t in stride(from: length - 1, through: 0, by: -1) {
            zero(dPrevious, count: stateSize)
            machine.backward(p, dLogits: dLogits + t &* width, previous: record(t), current: record(t + 1),
                             dCurrent: dCurrent, dPrevious: dPrevious,
                             stepGradient: stepGradients + t &* machine.stepGradients.size, scratch: scratch,
                             dInput: dInputs.map { $0 + t &* inputSize })
            boundCarriedGradients(dPrevious)
            swap(&dCurrent, &dPrevious)
        }
        // The steps leave their gradients in `stepGradients`; `g` is first
        // written here, so a buffer zeroed now is still in L2 when the weight
        // gradients are added into it.
        if zeroingGradient { zero(g, count: machine.layout.count) }
        if let dInitialState { machine.packStateGradient(dCurrent, into: dInitialState) }
        if learnedInitialState { machine.initialStateBackward(g, record: record(0), dState: dCurrent) }
        machine.weightGradients(g, records: records, dLogits: dLogits, stepGradients: stepGradients, length: length)
    }

    /// The default bound on the norm of each head's carried weighting
    /// gradient `‖∂L/∂w_{t−1}‖` (see `boundCarriedGradients`).
    static var defaultCarriedWeightingBound: Double { 1e4 }

    /// The memory's and read vectors' bound relative to the weightings' (so
    /// `1e8`): ordinary copy training carries memory gradients above `1e4`
    /// around its sudden drop (with `B` alone the default run's trajectory
    /// changed after ≈ 950 sequences), while the runaway loop this guards
    /// against passes `1e8` within a few steps of its start and would reach
    /// `Float`'s `3.4e38` only some 300 steps later.
    static var carriedStateBoundFactor: Double { 1e4 }

    /// Per-step BPTT norm clip (ours; in the spirit of Graves 2013 §4,
    /// which clips derivatives inside backpropagation): of the gradient that
    /// step `t` sends back to step `t − 1`, every head's weighting part
    /// `∂L/∂w_{t−1}`, the memory part `∂L/∂M_{t−1}` and the read vectors'
    /// part `∂L/∂r_{t−1}` are each rescaled, `d ← d · B / ‖d‖`, when
    /// `‖d‖ > B` (`B = 1e4`).
    ///
    /// Why the weightings: sharpening's Jacobian at a near-uniform `w̃` is
    /// `γ(δ_ij − 1/N)`, so a head with `g ≈ 0` and a large `γ` multiplies the
    /// gradient carried through `w_{t−1} → w_t` by about `γ` per step; with
    /// `γ ≈ 25` over ~27 steps it overflows `Float`, and `∞ · 0` then gives
    /// NaN before the element-wise clip of the parameter gradient can act
    /// (priority sort, associative recall).
    /// Why the memory too: the carried weighting gradient feeds the memory's
    /// through content addressing (`∂K_i/∂M_i` has `1/(‖k‖‖M_i‖ + ε)`), and
    /// the memory's feeds the weightings' back through the write; bounding
    /// only the weightings left that loop growing by ~1e4 every 10 steps on
    /// dynamic N-grams (a long run of zeros, 190 constant inputs) until the
    /// initial memory's gradient overflowed.
    ///
    /// Below the bound the gradient is exact and the code changes nothing
    /// (the gradient checks and normal training never come near it). Norms
    /// are summed in `Double`, in index order, so they cannot overflow and the
    /// result is the same bits for any thread count. NaN stays NaN (the
    /// trainer refuses it).
    @inline(__always)
    func boundCarriedGradients(_ d: UnsafeMutablePointer<T>) {
        let config = machine.config
        guard config.usesMemory else { return }
        let n = config.memoryRows, bound = carriedWeightingBound
        for h in 0..<config.headCount { boundNorm(d + machine.state.weighting(h), count: n, bound: bound) }
        let stateBound = bound * Self.carriedStateBoundFactor
        boundNorm(d + machine.state.memory, count: n * config.memoryWidth, bound: stateBound)
        boundNorm(d + machine.state.reads, count: config.readHeads * config.memoryWidth, bound: stateBound)
    }

    /// Rescales `v` (`count` values) to norm `bound` when its norm exceeds it.
    @inline(__always)
    private func boundNorm(_ v: UnsafeMutablePointer<T>, count: Int, bound: Double) {
        // Runs on every block of every step, and normal gradients are far
        // below the bound: a vectorised sum of squares in `T` settles those
        // (its rounding error is far below the factor 2 of margin, so the
        // exact test below would have passed too, and the result does not
        // depend on which build of the kernels ran). NaN, overflow and
        // anything near the bound take the exact path.
        let quick = Double(dot(UnsafePointer(v), UnsafePointer(v), count: count))
        if quick <= 0.5 * bound * bound { return }
        var sum: Double = 0
        for i in 0..<count { let x = Double(v[i]); sum += x * x }
        let norm = sum.squareRoot()
        guard norm > bound else { return }   // false for NaN: left to the trainer
        if norm.isFinite {
            let scale = T(bound / norm)
            for i in 0..<count { v[i] *= scale }
        } else {
            // Infinite entries (or a `Double` sum that overflowed): keep the
            // direction of the largest entries, bounded.
            var largest: T = 0
            for i in 0..<count { largest = max(largest, abs(v[i])) }
            var hits = 0
            for i in 0..<count where abs(v[i]) == largest { hits += 1 }
            let value = T(bound / Double(hits).squareRoot())
            for i in 0..<count { v[i] = abs(v[i]) == largest ? (v[i] > 0 ? value : -value) : 0 }
        }
    }
}
