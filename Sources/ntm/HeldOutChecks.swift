import NTM

/// Measuring the model on sequences it does not train on: the held-out
/// check that confirms convergence, and --validate's monitoring.
extension TrainingSession {
    /// The training window has converged: does the held-out set agree?
    mutating func checkHoldout() -> Bool {
        lastHoldoutCheck = trainer.sequencesSeen
        guard !holdout.isEmpty else { return true }
        let evaluation = heldOutEvaluator.evaluate(holdout)
        switch tracker.criterion.measure {
        case .bitErrors:
            lastHoldoutMeasure = evaluation.bitErrorsPerSequence
        case .excessCost:
            lastHoldoutMeasure = (evaluation.lossBits - holdoutOptimal.reduce(0, +)) / Double(holdout.count)
        }
        return lastHoldoutMeasure < tracker.criterion.threshold
    }

    var holdoutDescription: String {
        let what = tracker.criterion.measure == .bitErrors ? "bit errors per sequence" : "bits per sequence above optimal"
        return "\(fixed(lastHoldoutMeasure, 4)) \(what) on \(holdout.count) held-out sequences of "
            + taskKind.presentation.describeSize(holdoutSize)
    }

    /// Measures the held-out sets; returns a line for the log.
    mutating func runValidation() -> String {
        var parts: [String] = []
        for (size, set) in validationSets {
            let evaluation = heldOutEvaluator.evaluate(set)
            let loss = evaluation.lossBitsPerSequence, errors = evaluation.bitErrorsPerSequence
            validationLog.append("\(trainer.sequencesSeen),\(size),\(CurveRow.number(loss)),\(CurveRow.number(errors))")
            parts.append("\(size): \(fixed(loss, 3)) bits, \(fixed(errors, 3)) errors")
        }
        return "validation at \(grouped(trainer.sequencesSeen)) sequences · " + parts.joined(separator: " · ")
    }
}
