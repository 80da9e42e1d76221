import NTM

/// What a run says on stdout before it starts and after it stops.
extension TrainingSession {
    /// The run's set-up, the rules that will stop it, and where it writes.
    func sayPlan() {
        let opt = trainer.optimizer.config
        let verb = resumedFrom > 0 ? "resuming at \(grouped(resumedFrom)) sequences:" : "training"
        say("\(verb) \(networkName) on \(taskDescription)")
        say("  \(grouped(network.layout.count)) parameters · \(opt.kind.rawValue) lr \(CurveRow.number(opt.learningRate)) "
            + "· batch \(batchSize) · \(trainer.threads) thread\(trainer.threads == 1 ? "" : "s") · seed \(command.seed)")
        var stops: [String] = []
        if command.stopWhenConverged, let from = polish.startedAt, let end = polish.end {
            stops.append("polished (from \(grouped(from)) to \(grouped(end)) sequences) and the "
                         + "\(holdout.count) held-out sequences meet the criterion")
        } else if command.stopWhenConverged {
            var rule = "converged: \(tracker.criterion.description)"
            if !holdout.isEmpty {
                rule += ", and the same on \(holdout.count) held-out sequences of "
                    + taskKind.presentation.describeSize(holdoutSize)
            }
            if polish.isEnabled {
                rule = "polished: \(grouped(polish.sequences)) sequences at lr × \(CurveRow.number(polish.rateFactor)) "
                    + "after the window first met the criterion, then " + rule
            }
            stops.append(rule)
        }
        if let n = command.sequences { stops.append("\(grouped(n)) sequences") }
        if let t = command.time { stops.append("\(CurveRow.number(t)) s") }
        if command.sequences == nil && command.time == nil {
            stops.append("not converged after \(grouped(TrainDefaults.sequenceCap)) sequences")
        }
        say("  stops when \(stops.joined(separator: "; or "))")
        say("  output \(directory)/")
    }

    /// The one line that says why the run stopped and how far it got.
    func summary(of stop: Stop, seenNow: Int) -> String {
        let measure = tracker.criterion.measure == .bitErrors
            ? "mean cost \(fixed(tracker.meanLossBits, 4)) bits and \(fixed(tracker.meanBitErrors, 4)) bit errors per sequence"
            : "mean cost \(fixed(tracker.meanLossBits, 3)) bits per sequence, \(fixed(tracker.measure, 3)) above optimal"
        let over = "over the last \(grouped(tracker.sequences)) training sequences"
        var summary: String
        switch stop {
        case .converged:
            summary = "converged after \(grouped(trainer.sequencesSeen)) sequences: \(measure) \(over) "
                + "(< \(CurveRow.number(tracker.criterion.threshold)))"
                + (holdout.isEmpty ? "" : ", and \(holdoutDescription)")
        case .polished:
            summary = "converged after \(grouped(trainer.sequencesSeen)) sequences, polished at lr "
                + "\(CurveRow.number(trainer.optimizer.learningRate)) from \(grouped(polish.startedAt ?? 0)): "
                + "\(measure) \(over)" + (holdout.isEmpty ? "" : ", and \(holdoutDescription)")
        case .sequences:
            summary = "stopped after \(grouped(trainer.sequencesSeen)) sequences (--sequences): \(measure) \(over)"
        case .time:
            summary = "stopped after \(CurveRow.number(command.time ?? 0)) s (--time) at \(grouped(trainer.sequencesSeen)) "
                + "sequences: \(measure) \(over)"
        case .cap:
            summary = "NOT CONVERGED: stopped at the cap of \(grouped(trainer.sequencesSeen)) sequences with \(measure) "
                + "\(over) (needs < \(CurveRow.number(tracker.criterion.threshold))); continue with --resume "
                + "--sequences N, or try another --seed or --lr"
        case .interrupted:
            summary = "interrupted at \(grouped(trainer.sequencesSeen)) sequences: \(measure) \(over); "
                + "continue with --resume"
        }
        if seenNow == 0 {
            summary = "nothing to train: the run has already seen \(grouped(trainer.sequencesSeen)) sequences"
        }
        return summary
    }

    /// The summary, the speed, and what was written, once the files are saved.
    func sayOutcome(_ summary: String, seenNow: Int, elapsed: Double, picture: SequenceRun?) {
        let rate = elapsed > 0 ? Double(seenNow) / elapsed : 0
        say(summary)
        say("  \(grouped(seenNow)) sequences in \(clockTime(elapsed)) (\(fixed(rate, 1)) sequences/s)")
        say("  wrote \(modelPath), curve.csv, curve.svg, sequence.svg")
        if let picture {
            say("  sequence.svg: \(picture.task) \(picture.task.presentation.describeSize(picture.size)), "
                + "\(picture.bitErrors) bit errors, cost \(fixed(picture.lossBits, 3)) bits")
        }
    }
}
