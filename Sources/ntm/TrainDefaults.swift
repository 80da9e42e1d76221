import NTM

/// The defaults of `ntm train`, in one place (docs/CLI.md explains them).
enum TrainDefaults {
    static let task = TaskKind.copy
    static let network = NetworkName.ntmFeedforward

    /// The optimiser when --optimizer is not given: Adam, except where the
    /// task's `TaskPresentation.defaultOptimizer` says otherwise.
    static func optimizer(task: TaskKind, network: NetworkName) -> OptimizerConfig.Kind {
        task.presentation.defaultOptimizer[network]
    }
    static let batchSize = 1
    static let seed: UInt64 = 1
    /// Without --sequences or --time, training stops here if it has not converged.
    static let sequenceCap = 1_000_000
    static let window = 1000
    static let holdoutSequences = 200
    /// Sequences between two held-out checks.
    static let holdoutEvery = 1000
    static let logEvery = 100
    static let saveEvery = 300.0
    // The polish after convergence (--polish, --polish-lr-factor) has its
    // defaults, and their reasons, in the core: `PolishSchedule`.

    /// Adam's learning rate when --lr is not given: 1e-3 trains copy
    /// fastest; `TaskPresentation.adamRate` has the exceptions.
    static func adamRate(task: TaskKind) -> Double {
        task.presentation.adamRate
    }
}
