/// The state one step hands to the next, as one flat vector a caller can
/// keep between calls: for truncated backpropagation through time a long
/// sequence runs in chunks, each starting from the state the last one
/// ended in, and the gradient of that state flows back from each chunk to
/// the one before it.
///
/// The layout is that of `StateGradientLayout` cut to what is really
/// carried, so a state and its gradient share it:
///
///     memory      N × M, row-major (location i is row i)   NTMs only
///     reads       R × M, read head k is row k
///     weightings  H × N, write heads first, then read heads  NTMs only
///     hidden      each LSTM layer's h, bottom layer first    LSTM controllers only
///     cell        each LSTM layer's c, bottom layer first    LSTM controllers only
///
/// A feedforward controller carries nothing, so a feedforward NTM's state
/// ends after the weightings. The memory is row-major here as everywhere a
/// caller sees it; only the step records keep it column-major
/// (`MemoryAccess`). The memory's row norms are not part of the state: they
/// are recomputed from it.
public struct CarriedStateLayout: Sendable {
    /// Values in the state.
    public let count: Int
    /// Where the head weightings lie (empty without memory).
    public let weightings: Range<Int>
    /// Where the memory lies (empty without memory).
    public let memory: Range<Int>

    init(_ config: ModelConfig, _ state: StateGradientLayout) {
        memory = state.memory..<(state.memory + (config.usesMemory ? config.memoryRows * config.memoryWidth : 0))
        weightings = state.weightings..<(state.weightings + config.headCount * state.rows)
        // The LSTM's hidden and cell gradients follow the weightings in
        // `StateGradientLayout`; a feedforward layer's slots there are
        // scratch for one step, not carried.
        count = config.controller == .lstm ? state.size : weightings.upperBound
    }
}

extension Machine {
    var carriedState: CarriedStateLayout { CarriedStateLayout(config, state) }

    /// Writes the state in record `r` (what the next step reads from its
    /// previous record) to `s`, in the carried layout.
    func packState(_ r: UnsafePointer<T>, into s: UnsafeMutablePointer<T>) {
        if config.usesMemory { memory.copy(r + steps.memory, intoRowMajor: s + state.memory) }
        copyValues(r + steps.reads, s + state.reads, count: config.readHeads * config.memoryWidth)
        for (h, head) in steps.heads.enumerated() {
            copyValues(r + head.weighting, s + state.weighting(h), count: state.rows)
        }
        guard config.controller == .lstm else { return }
        for (l, layer) in steps.layers.enumerated() {
            copyValues(r + layer.hidden, s + state.hidden[l], count: config.controllerLayers[l])
            copyValues(r + layer.cell, s + state.cell[l], count: config.controllerLayers[l])
        }
    }

    /// The inverse of `packState`: makes record `r` a previous record that
    /// holds state `s`, row norms included. Nothing else in a previous
    /// record is read by `forward` or `backward`.
    func unpackState(_ s: UnsafePointer<T>, into r: UnsafeMutablePointer<T>) {
        if config.usesMemory {
            memory.copy(rowMajor: s + state.memory, into: r + steps.memory)
            memory.rowNorms(r + steps.memory, into: r + steps.rowNorms)
        }
        copyValues(s + state.reads, r + steps.reads, count: config.readHeads * config.memoryWidth)
        for (h, head) in steps.heads.enumerated() {
            copyValues(s + state.weighting(h), r + head.weighting, count: state.rows)
        }
        guard config.controller == .lstm else { return }
        for (l, layer) in steps.layers.enumerated() {
            copyValues(s + state.hidden[l], r + layer.hidden, count: config.controllerLayers[l])
            copyValues(s + state.cell[l], r + layer.cell, count: config.controllerLayers[l])
        }
    }

    /// Writes a state gradient in `StateGradientLayout` (memory
    /// column-major) to `s` in the carried layout. The two layouts differ
    /// only in the memory's order.
    func packStateGradient(_ d: UnsafePointer<T>, into s: UnsafeMutablePointer<T>) {
        let carried = carriedState
        if config.usesMemory { memory.copy(d + state.memory, intoRowMajor: s + state.memory) }
        let rest = carried.memory.upperBound
        copyValues(d + rest, s + rest, count: carried.count - rest)
    }

    /// The inverse of `packStateGradient`, overwriting all of `d` (the
    /// slots that are not carried become zero).
    func unpackStateGradient(_ s: UnsafePointer<T>, into d: UnsafeMutablePointer<T>) {
        let carried = carriedState
        zero(d, count: state.size)
        if config.usesMemory { memory.copy(rowMajor: s + state.memory, into: d + state.memory) }
        let rest = carried.memory.upperBound
        copyValues(s + rest, d + rest, count: carried.count - rest)
    }
}

extension Network {
    /// The layout of the state carried from one chunk of a sequence to the next.
    public var carriedState: CarriedStateLayout { machine.carriedState }
}
