import ArgumentParser
import NTM

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by SIGINT/SIGTERM; the training loop checks it between batches.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// Makes SIGINT and SIGTERM ask the loop to stop (and save) instead of
/// ending the process; returns what puts the old handlers back.
func catchStopSignals() -> () -> Void {
    stopRequested = 0
    let handler: @convention(c) (Int32) -> Void = { number in
        stopRequested = 1
        // A second signal ends the process the usual way.
        _ = signal(number, SIG_DFL)
    }
    let oldInt = signal(SIGINT, handler)
    let oldTerm = signal(SIGTERM, handler)
    // A reader that goes away (`ntm train | head`) must not kill the
    // run before it has saved: writes to a closed pipe just fail.
    let oldPipe = signal(SIGPIPE, SIG_IGN)
    return {
        signal(SIGINT, oldInt)
        signal(SIGTERM, oldTerm)
        signal(SIGPIPE, oldPipe)
    }
}

/// The training loop: updates, the curve, convergence and the polish
/// phase, checkpoints, and why it stopped.
extension TrainingSession {
    enum Stop {
        case converged, polished, sequences, time, cap, interrupted
    }

    /// Trains until a stop rule holds, then saves everything and says why it stopped.
    mutating func run() throws {
        let quiet = command.quiet
        let sequenceTarget = command.sequences ?? (command.time == nil ? TrainDefaults.sequenceCap : nil)
        // Before the first line is printed: a reader that is already gone
        // (`ntm train | true`) must not end the run at the plan.
        let restoreSignals = catchStopSignals()
        defer { restoreSignals() }
        if !quiet { sayPlan() }

        let ngramOrder = (task as? DynamicNGramTask)?.order
        let progress = ProgressDisplay(enabled: !quiet, terminal: stdoutIsTerminal, target: command.sequences,
                                       timeBudget: command.time, startSequences: trainer.sequencesSeen,
                                       secondsBefore: secondsBefore, showsOptimal: ngramOrder != nil)
        let start = now()
        var lastSave = start
        var pending = (sequences: 0, loss: 0.0, errors: 0.0, optimal: 0.0)
        var stop: Stop = .cap

        func flushRow(_ elapsed: Double) {
            guard pending.sequences > 0 else { return }
            let n = Double(pending.sequences)
            rows.append(CurveRow(sequences: trainer.sequencesSeen, lossBits: pending.loss / n,
                                 bitErrors: pending.errors / n, seconds: secondsBefore + elapsed,
                                 optimalBits: ngramOrder == nil ? nil : pending.optimal / n))
            pending = (0, 0, 0, 0)
        }

        while true {
            if stopRequested != 0 { stop = .interrupted; break }
            if let target = sequenceTarget, trainer.sequencesSeen >= target {
                stop = command.sequences != nil ? .sequences : .cap
                break
            }
            if let budget = command.time, now() - start >= budget { stop = .time; break }

            var n = batchSize
            if let target = sequenceTarget { n = min(n, target - trainer.sequencesSeen) }
            if command.stopWhenConverged, let left = polish.sequencesLeft(after: trainer.sequencesSeen) {
                n = min(n, left)
            }
            let batch = task.batch(n, using: &trainer.dataGenerator)
            let result = trainer.train(batch)
            var optimal = 0.0
            if let order = ngramOrder {
                for s in batch { optimal += DynamicNGramTask.optimalCost(of: s, order: order) }
            }
            if let refusal = result.refusal {
                // The trainer refused the update and changed nothing: the
                // weights are the last finite ones. Save them and the curve
                // so that the run ends with a loadable model on disk.
                progress.finish()
                flushRow(now() - start)
                try saveAll(drawSequence: false)
                let seen = trainer.sequencesSeen
                throw CLIError("training diverged on the update from sequence \(grouped(seen + 1))"
                               + (result.sequences > 1 ? " to \(grouped(seen + result.sequences))" : "")
                               + " (\(refusal)); the update was refused and the model as it was after "
                               + "\(grouped(seen)) sequence\(seen == 1 ? "" : "s") (the last finite state) is saved in "
                               + "'\(directory)' with its curve; try a lower --lr")
            }
            tracker.record(sequences: result.sequences, lossBits: result.lossBits,
                           bitErrors: Double(result.bitErrors), optimalBits: optimal)
            pending.sequences += result.sequences
            pending.loss += result.lossBits
            pending.errors += Double(result.bitErrors)
            pending.optimal += optimal
            let t = now()
            if trainer.sequencesSeen - (rows.last?.sequences ?? 0) >= command.logEvery { flushRow(t - start) }
            if !validationSets.isEmpty
                && trainer.sequencesSeen / command.validateEvery > (trainer.sequencesSeen - result.sequences) / command.validateEvery {
                let line = runValidation()
                if !quiet {
                    progress.finish()
                    say(line)
                }
            }
            progress.update(sequences: trainer.sequencesSeen, tracker: tracker, now: t)
            if command.stopWhenConverged
                && polish.startIfDue(converged: tracker.isConverged, sequencesSeen: trainer.sequencesSeen,
                                     learningRate: &trainer.optimizer.learningRate) {
                if !quiet {
                    progress.finish()
                    say("the training window met the criterion at \(grouped(trainer.sequencesSeen)) sequences; "
                        + "polishing at lr \(CurveRow.number(trainer.optimizer.learningRate)) until "
                        + "\(grouped(polish.end ?? 0))")
                }
            }
            if command.stopWhenConverged
                && polish.mayEnd(converged: tracker.isConverged, sequencesSeen: trainer.sequencesSeen)
                && trainer.sequencesSeen - lastHoldoutCheck >= TrainDefaults.holdoutEvery {
                let passed = checkHoldout()
                if !quiet && !holdout.isEmpty {
                    progress.finish()
                    say("held-out check at \(grouped(trainer.sequencesSeen)) sequences: \(holdoutDescription)"
                        + (passed ? " · converged" : " · not yet"))
                }
                if passed {
                    let ending = polish.ending(sequencesSeen: trainer.sequencesSeen, stoppedByBudget: false)
                    stop = ending == .polished ? .polished : .converged
                    break
                }
            }
            if t - lastSave >= command.saveEvery {
                flushRow(t - start)
                try saveAll(drawSequence: false)
                lastSave = now()
            }
        }
        let elapsed = now() - start
        flushRow(elapsed)
        progress.update(sequences: trainer.sequencesSeen, tracker: tracker, now: now(), force: true)
        progress.finish()

        let seenNow = trainer.sequencesSeen - resumedFrom
        let outcome = summary(of: stop, seenNow: seenNow)
        // Save before saying anything more, so that a closed stdout cannot cost the run.
        let picture = try saveAll(drawSequence: true)
        sayOutcome(outcome, seenNow: seenNow, elapsed: elapsed, picture: picture)
        if stop == .interrupted { throw ExitCode(130) }
    }
}
