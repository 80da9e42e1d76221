import ArgumentParser

/// One training measurement's shape: sequences per update and trainer threads.
struct TrainingRun: Equatable {
    var batch: Int
    var threads: Int

    /// The runs docs/PERFORMANCE.md reports: batch 1 on one thread, batch 16
    /// on one and on two.
    static let standard = [TrainingRun(batch: 1, threads: 1), TrainingRun(batch: 16, threads: 1),
                           TrainingRun(batch: 16, threads: 2)]
}

/// `--runs`: `BATCHxTHREADS,...`, or `none` for no training at all.
struct TrainingRunList: ExpressibleByArgument {
    var runs: [TrainingRun]

    init(_ runs: [TrainingRun]) { self.runs = runs }

    init?(argument: String) {
        if argument == "none" {
            runs = []
            return
        }
        var parsed: [TrainingRun] = []
        for item in argument.split(separator: ",") {
            let parts = item.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 1, parts[1] >= 1 else { return nil }
            parsed.append(TrainingRun(batch: parts[0], threads: parts[1]))
        }
        guard !parsed.isEmpty else { return nil }
        runs = parsed
    }

    var defaultValueDescription: String {
        runs.isEmpty ? "none" : runs.map { "\($0.batch)x\($0.threads)" }.joined(separator: ",")
    }
}
