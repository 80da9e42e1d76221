import NTM
import NTMPlot

/// The files a run writes to its output directory.
extension TrainingSession {
    var modelPath: String { directory + "/model.safetensors" }
    var validationPath: String { directory + "/validation.csv" }
    var curveCSVPath: String { directory + "/curve.csv" }
    var curveSVGPath: String { directory + "/curve.svg" }
    var sequenceSVGPath: String { directory + "/sequence.svg" }

    /// Writes the checkpoint and the curve, and (at the end) the pictures.
    @discardableResult
    func saveAll(drawSequence: Bool) throws -> SequenceRun? {
        try saveModelFile(network, trainer: trainer, to: modelPath, task: taskKind.rawValue, taskOptions: taskOptions,
                          networkName: networkName, polishFrom: polish.startedAt)
        let optimal = rows.contains { $0.optimalBits != nil }
        let csv = ([CurveRow.header(optimal: optimal)] + rows.map(\.csv)).joined(separator: "\n") + "\n"
        try writeText(csv, to: curveCSVPath)
        if !validationLog.isEmpty {
            try writeText((["sequences,size,loss_bits,bit_errors"] + validationLog).joined(separator: "\n") + "\n",
                          to: validationPath)
        }
        guard drawSequence else { return nil }
        try writeText(learningCurveSVG(rows: rows, title: "\(taskKind) · \(networkName) · learning curve"),
                      to: curveSVGPath)
        let run = try SequenceRun.record(network: network, task: task, taskKind: taskKind, networkName: networkName,
                                         size: task.pictureSize, seed: command.seed)
        try writeText(run.picture.svg(), to: sequenceSVGPath)
        return run
    }
}
