/// One sequence's inference state over a shared network: the state of the
/// last step (memory, weightings, reads, controller state) and the record of
/// the step being computed — two records used in turn. Many streams may step
/// over one network at once, from different threads; a stream itself
/// belongs to one thread at a time.
public final class InferenceStream<T: NTMScalar> {
    public let network: Network<T>
    private let records: UnsafeMutablePointer<T>
    private var currentIndex = 0
    /// Steps taken since the last reset.
    public private(set) var steps = 0

    public init(network: Network<T>) {
        self.network = network
        let size = network.machine.steps.size
        records = .allocate(capacity: 2 * size)
        records.initialize(repeating: 0, count: 2 * size)
        reset()
    }

    deinit { records.deallocate() }

    private var layout: StepLayout { network.machine.steps }
    private var current: UnsafeMutablePointer<T> { records + currentIndex * layout.size }

    /// Back to the learned initial state, as at the start of a sequence.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reset() {
        currentIndex = 0
        steps = 0
        network.machine.initialState(UnsafePointer(network.parameters.baseAddress!), into: current)
    }

    /// One time step: reads `inputSize` values from `input`, writes
    /// `outputSize` output probabilities to `output`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step(_ input: UnsafePointer<T>, output: UnsafeMutablePointer<T>) {
        let next = 1 - currentIndex
        let nextRecord = records + next * layout.size
        network.machine.forward(UnsafePointer(network.parameters.baseAddress!), input: input,
                                previous: current, current: nextRecord)
        currentIndex = next
        steps += 1
        copyValues(current + layout.outputs, output, count: network.config.outputSize)
    }

    /// Convenience over `step(_:output:)` for arrays.
    public func step(_ input: [T]) -> [T] {
        precondition(input.count == network.config.inputSize, "expected \(network.config.inputSize) inputs")
        var output = [T](repeating: 0, count: network.config.outputSize)
        output.withUnsafeMutableBufferPointer { step(input, output: $0.baseAddress!) }
        return output
    }

    /// Values in `memory`: `N × M`, or 0 for a model without memory.
    public var memoryCount: Int {
        let c = network.config
        return c.usesMemory ? c.memoryRows * c.memoryWidth : 0
    }

    /// Copies the memory after the last step into `out` (`memoryCount`
    /// values), `N × M` row-major: row `i` is location `i`. (The step
    /// records keep it column-major, see `MemoryAccess`.)
    public func copyMemory(into out: UnsafeMutablePointer<T>) {
        guard memoryCount > 0 else { return }
        network.machine.memory.copy(current + layout.memory, intoRowMajor: out)
    }

    /// The memory after the last step, `N × M` row-major.
    public var memory: [T] {
        [T](unsafeUninitializedCapacity: memoryCount) { buffer, initialized in
            if let base = buffer.baseAddress { copyMemory(into: base) }
            initialized = memoryCount
        }
    }

    /// Head `h`'s weighting after the last step (write heads first, then read heads).
    public func weighting(head h: Int) -> UnsafeBufferPointer<T> {
        UnsafeBufferPointer(start: current + layout.heads[h].weighting, count: network.config.memoryRows)
    }

    /// The read vectors after the last step, `R × M`.
    public var reads: UnsafeBufferPointer<T> {
        UnsafeBufferPointer(start: current + layout.reads, count: network.config.readHeads * network.config.memoryWidth)
    }
}
