import Foundation
import NTM

// The plan of `ntm reproduce`: which (task, network, seed) jobs to run, the
// budget of each, the evaluations after training, and how long it should
// all take. docs/CLI.md ("ntm reproduce") explains the numbers.

/// The training budget of one job: `ntm train --sequences N --time T`.
/// Sequence caps keep runs deterministic; the time cap only guards the
/// total if this machine turns out slower than measured.
struct ReproduceBudget: Codable, Equatable {
    var sequences: Int
    var seconds: Double
}

/// One `ntm eval` after training: at the task's default sizes (the
/// paper's tests) when `lengths` is nil.
struct ReproduceEvalSpec: Codable, Equatable {
    var name: String
    var lengths: String?
    var sequences: Int
    var seed: UInt64
}

/// Everything about one task in one mode.
struct ReproduceTaskPlan: Codable, Equatable {
    var task: String
    var seeds: [UInt64]
    /// Network name → budget.
    var budgets: [String: ReproduceBudget]
    var evals: [ReproduceEvalSpec]
}

/// One (task, network, seed) job.
struct ReproduceJob {
    var task: String
    var network: String
    var seed: UInt64
    var budget: ReproduceBudget
    var evals: [ReproduceEvalSpec]
    /// Wall seconds expected for training and evaluation on this machine.
    var estimatedSeconds: Double

    var name: String { "\(task)-\(network)-s\(seed)" }
    var label: String { "\(task) · \(network) · seed \(seed)" }
}

enum ReproduceDefaults {
    static let tasks = TaskKind.allCases.map(\.rawValue)
    static let networks = NetworkName.allCases.map(\.rawValue)

    /// The measured training speed (`TaskPresentation.reproduceSpeed`).
    static func speed(task: String, network: String) -> Double {
        TaskKind(rawValue: task)?.presentation.reproduceSpeed[network] ?? 100
    }

    /// The full grid's sequence caps (task → network → sequences). Each
    /// NTM cap is far more than a converging run needs (convergence plus the
    /// 150,000-sequence polish) where that is affordable; the LSTM caps are
    /// what about 6–8 minutes buys. Where runs do not converge the time goes
    /// where the curve still falls (docs/CLI.md, "The budgets and why"):
    /// the feedforward NTM on priority sort was still falling by ≈ 2.5 bits
    /// per 10,000 sequences at 90,000, so it gets the most, and the
    /// feedforward NTM on N-grams (with its learned initial memory, 35.8
    /// bits above the optimum at 90,000, 9.1 at 200,000) 200,000; the
    /// NTM-LSTM on priority sort (≈ 113 bits at 47,000, falling slowly) gets
    /// less. The numbers are each task's `TaskPresentation.reproduceSequences`.
    static func fullSequences(task: String, network: String) -> Int {
        TaskKind(rawValue: task)?.presentation.reproduceSequences[network] ?? 10_000
    }
    /// The longest time cap of a job, in seconds.
    static let longestJobSeconds = 1200.0
    /// The time cap over the expected training time: two runs of the same
    /// job differed by up to 10% in speed on the 2-core machine.
    static let timeCapMargin = 1.2
    static let fullSeeds: [UInt64] = [1, 2, 3]
    static let fullEvalSequences = 100

    /// Quick mode: about one second of training per job.
    static let quickSeeds: [UInt64] = [1]
    static let quickSeconds = 1.0
    static let quickEvalSequences = 5

    static func plans(quick: Bool) -> [ReproduceTaskPlan] {
        tasks.map { task in
            var budgets: [String: ReproduceBudget] = [:]
            for network in networks {
                let speed = self.speed(task: task, network: network)
                if quick {
                    let n = max(20, min(300, Int(speed * quickSeconds / 10) * 10))
                    budgets[network] = ReproduceBudget(sequences: n, seconds: 20)
                } else {
                    let n = fullSequences(task: task, network: network)
                    // The time cap: 20% over the expected time, at most 20 minutes.
                    let seconds = min(longestJobSeconds, max(60, (timeCapMargin * Double(n) / speed).rounded(.up)))
                    budgets[network] = ReproduceBudget(sequences: n, seconds: seconds)
                }
            }
            let evalSequences = quick ? quickEvalSequences : fullEvalSequences
            var evals = [ReproduceEvalSpec(name: "paper", lengths: nil, sequences: evalSequences, seed: 1)]
            if let lengths = TaskKind(rawValue: task)?.presentation.reproduceLongLengths {
                evals.append(ReproduceEvalSpec(name: "long", lengths: lengths,
                                               sequences: quick ? 2 * quickEvalSequences : 200, seed: 7))
            }
            return ReproduceTaskPlan(task: task, seeds: quick ? quickSeeds : fullSeeds, budgets: budgets, evals: evals)
        }
    }

    /// Mean time steps of a training sequence (from 200 samples).
    static func meanTrainingSteps(_ task: any SequenceTask) -> Double {
        var rng = SeededGenerator(seed: 99)
        let batch = task.batch(200, using: &rng)
        return Double(batch.reduce(0) { $0 + $1.length }) / Double(batch.count)
    }

    /// Expected wall seconds of a job: training at the measured speed (up to
    /// its caps), plus evaluation, plus a second for starting the processes.
    /// `ntm eval --threads 1` runs about 0.7 times as many steps per second
    /// as training does (measured in --quick runs: its evaluator is not the
    /// trainer's batched path), and its sequences are long.
    static func estimate(task: String, network: String, budget: ReproduceBudget,
                         evals: [ReproduceEvalSpec]) -> Double {
        let speed = self.speed(task: task, network: network)
        let train = min(Double(budget.sequences) / speed, budget.seconds)
        var evalSteps = 0.0
        var trainSteps = 1.0
        if let t = try? TaskDescriptor.named(task).make() {
            trainSteps = meanTrainingSteps(t)
            for spec in evals {
                let sizes = spec.lengths.map { TestSizeList(argument: $0)?.sizes ?? [] }
                    ?? ((try? TaskDescriptor.named(task).testSizes) ?? [])
                for size in sizes {
                    evalSteps += Double(spec.sequences) * Double((try? GeneralisationTests.steps(size, of: t)) ?? 0)
                }
            }
        }
        let eval = evalSteps / (0.7 * speed * trainSteps)
        return train + eval + 1
    }
}

/// The jobs of a selection, longest first (so that the two cores finish
/// together rather than one waiting on a long job started last).
func reproduceJobs(plans: [ReproduceTaskPlan], tasks: [String], networks: [String],
                   seeds: [UInt64]?) -> [ReproduceJob] {
    var jobs: [ReproduceJob] = []
    for plan in plans where tasks.contains(plan.task) {
        for network in networks {
            guard let budget = plan.budgets[network] else { continue }
            let estimate = ReproduceDefaults.estimate(task: plan.task, network: network, budget: budget,
                                                      evals: plan.evals)
            for seed in seeds ?? plan.seeds {
                jobs.append(ReproduceJob(task: plan.task, network: network, seed: seed, budget: budget,
                                         evals: plan.evals, estimatedSeconds: estimate))
            }
        }
    }
    return jobs.sorted {
        $0.estimatedSeconds != $1.estimatedSeconds ? $0.estimatedSeconds > $1.estimatedSeconds : $0.name < $1.name
    }
}

/// Wall time of running `durations` on `slots` parallel workers, each job
/// going to the first free worker in the given order.
func scheduledWallTime(_ durations: [Double], slots: Int, busy: [Double] = []) -> Double {
    var free = busy + [Double](repeating: 0, count: max(0, max(1, slots) - busy.count))
    for d in durations {
        let i = free.indices.min { free[$0] < free[$1] }!
        free[i] += d
    }
    return free.max() ?? 0
}
