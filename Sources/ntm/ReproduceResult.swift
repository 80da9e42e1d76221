import Foundation
import NTM

// What a finished `ntm reproduce` job leaves behind: job.json in its run
// directory, written atomically once training and evaluation are done. Its
// presence is what makes a job finished; a re-run skips it.

struct ReproduceEvalRow: Codable, Equatable {
    var size: String
    var steps: Int
    var sequences: Int
    var lossBits: Double
    var bitErrors: Double
    var errorFree: Int
    var optimalBits: Double?
    var inTraining: Bool

    /// Cost above the optimal estimator's (dynamic N-grams).
    var excessBits: Double? { optimalBits.map { lossBits - $0 } }
}

struct ReproduceEvalResult: Codable, Equatable {
    var name: String
    var lengths: String?
    var sequences: Int
    var seed: UInt64
    var rows: [ReproduceEvalRow]
}

struct ReproduceJobResult: Codable {
    static let fileName = "job.json"

    var task: String
    var network: String
    var seed: UInt64
    /// "finished" or "failed".
    var status: String
    var error: String?
    var budget: ReproduceBudget
    /// Sequences trained in all.
    var sequences: Int
    /// Sequences seen when the training window first met the convergence
    /// criterion (the polish at the lower rate followed), or nil.
    var convergedAt: Int?
    /// "converged and polished", "converged (polish cut short by the budget)",
    /// "sequence cap", "time cap".
    var stop: String
    /// Training seconds (curve.csv, summed over resumed invocations).
    var trainSeconds: Double
    /// Wall seconds of the evaluations.
    var evalSeconds: Double
    /// Means over the last curve rows covering up to 1000 sequences.
    var finalLossBits: Double
    var finalBitErrors: Double
    var finalOptimalBits: Double?
    /// The last line `ntm train --quiet` printed first (its summary).
    var summary: String
    var evals: [ReproduceEvalResult]

    var converged: Bool { convergedAt != nil }
    var finished: Bool { status == "finished" }

    static func load(directory: String) -> ReproduceJobResult? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(ReproduceJobResult.self, from: data)
    }

    func save(directory: String) throws {
        try writeJSON(self, named: Self.fileName, in: directory)
    }

    /// The eval named `name`, and in it the row of `size`.
    func row(_ evalName: String, _ size: String) -> ReproduceEvalRow? {
        evals.first { $0.name == evalName }?.rows.first { $0.size == size }
    }

    /// The headline number of a finished job, for progress lines: bit
    /// errors per sequence at the largest training size (dynamic N-grams:
    /// bits above the optimum; priority sort: cost).
    var headline: String {
        guard finished else { return "FAILED: \(error ?? "?")" }
        var parts: [String] = []
        if let c = convergedAt {
            parts.append("converged at \(grouped(c))" + (sequences > c ? ", trained \(grouped(sequences))" : ""))
        } else {
            parts.append("not converged in \(grouped(sequences)) (\(stop))")
        }
        if let rows = evals.first?.rows, let row = rows.last(where: \.inTraining) ?? rows.first {
            parts.append((TaskKind(rawValue: task)?.presentation.measure ?? .bitErrors).headline(row))
        }
        return parts.joined(separator: " · ")
    }
}

/// The marker of a finished training phase (train.json): the job's train
/// command exited normally, so a re-run goes straight to the evaluations.
struct ReproduceTrainMarker: Codable {
    static let fileName = "train.json"
    var summary: String
    var budget: ReproduceBudget

    static func load(directory: String) -> ReproduceTrainMarker? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(ReproduceTrainMarker.self, from: data)
    }

    func save(directory: String) throws {
        try writeJSON(self, named: Self.fileName, in: directory)
    }
}

/// The identity of a reproduce output directory (grid.json): the mode and
/// every budget. A re-run must use the same, or its jobs would not be
/// comparable; the selection of tasks, networks and seeds may differ.
struct ReproduceGrid: Codable, Equatable {
    static let fileName = "grid.json"
    var mode: String
    var plans: [ReproduceTaskPlan]
}

/// Writes `value` as `directory/name`: pretty-printed with sorted keys, so
/// that the same result always gives the same bytes.
func writeJSON<Value: Encodable>(_ value: Value, named name: String, in directory: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data: Data
    do {
        data = try encoder.encode(value)
    } catch {
        throw CLIError("cannot encode \(name): \(error)")
    }
    try writeText(String(decoding: data, as: UTF8.self) + "\n", to: directory + "/" + name)
}
