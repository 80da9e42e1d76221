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
    /// Once the training window first meets the convergence criterion, the
    /// learning rate drops by `polishRateFactor` and training goes on for at
    /// least this many sequences, until the held-out check passes too
    /// (docs/CLI.md: the copy seed tables that chose it). A long polish at
    /// a low rate: at lr × 0.1 the weights still drift far enough to relapse
    /// for tens of thousands of sequences; at lr × 0.01 they barely move and
    /// the sharper, longer-reaching solution is not found.
    static let polishSequences = 150_000
    static let polishRateFactor = 0.03

    /// Adam's learning rate when --lr is not given: 1e-3 trains copy
    /// fastest; `TaskPresentation.adamRate` has the exceptions.
    static func adamRate(task: TaskKind) -> Double {
        task.presentation.adamRate
    }
}
