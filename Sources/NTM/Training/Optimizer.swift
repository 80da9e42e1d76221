/// An optimiser updates the flat parameter buffer from the flat gradient
/// buffer, keeping its own state in buffers of the same layout (so the state
/// can be saved and a run resumed exactly).
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: NTMScalar
    var config: OptimizerConfig { get }
    /// The step size of the next updates (a schedule lowers it during a
    /// run; the other hyper-parameters are fixed at creation).
    var learningRate: Double { get set }
    /// Updates done so far.
    var stepCount: Int { get set }
    /// The state buffers by name, each as long as the parameters.
    var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Scalar>)] { get }
    func update(_ parameters: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>)
}

/// Makes the optimiser that `config` names, with zeroed state.
public func makeOptimizer<T: NTMScalar>(_ config: OptimizerConfig, count: Int) -> any Optimizer<T> {
    switch config.kind {
    case .rmsprop: return RMSProp<T>(config: config, count: count)
    case .adam: return Adam<T>(config: config, count: count)
    }
}

/// Owned, zero-initialised state buffers.
final class OptimizerState<T: NTMScalar> {
    let buffers: [UnsafeMutableBufferPointer<T>]
    init(count: Int, buffers n: Int) {
        buffers = (0..<n).map { _ in
            let b = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
            b.initialize(repeating: 0)
            return b
        }
    }
    deinit { buffers.forEach { $0.deallocate() } }
}
