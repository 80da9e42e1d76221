import XCTest
@testable import NTM

/// The polish phase's rules (`PolishSchedule`): where it starts, the rate,
/// when the run may end, and how a finished run is classified.
final class PolishScheduleTests: XCTestCase {
    func testDefaults() {
        let polish = PolishSchedule()
        XCTAssertEqual(polish.sequences, 150_000)
        XCTAssertEqual(polish.rateFactor, 0.03)
        XCTAssertTrue(polish.isEnabled)
        XCTAssertNil(polish.startedAt)
        XCTAssertNil(polish.end)
    }

    /// The first convergence starts the phase and lowers the rate once;
    /// nothing before it, nothing after it.
    func testStartsAtTheFirstConvergenceAndLowersTheRateOnce() {
        var polish = PolishSchedule(sequences: 20, rateFactor: 0.1)
        var rate = 1e-3
        XCTAssertFalse(polish.startIfDue(converged: false, sequencesSeen: 9, learningRate: &rate))
        XCTAssertNil(polish.startedAt)
        XCTAssertEqual(rate, 1e-3)
        XCTAssertFalse(polish.mayEnd(converged: false, sequencesSeen: 9))

        XCTAssertTrue(polish.startIfDue(converged: true, sequencesSeen: 10, learningRate: &rate))
        XCTAssertEqual(polish.startedAt, 10)
        XCTAssertEqual(polish.end, 30)
        XCTAssertEqual(rate, 1e-3 * 0.1, "the rate drops by exactly the factor")
        XCTAssertEqual(polish.polishRate(from: 1e-3), rate)

        // Converging again, or losing it and regaining it, changes nothing.
        XCTAssertFalse(polish.startIfDue(converged: true, sequencesSeen: 11, learningRate: &rate))
        XCTAssertFalse(polish.startIfDue(converged: false, sequencesSeen: 12, learningRate: &rate))
        XCTAssertFalse(polish.startIfDue(converged: true, sequencesSeen: 13, learningRate: &rate))
        XCTAssertEqual(polish.startedAt, 10)
        XCTAssertEqual(rate, 1e-3 * 0.1)
    }

    /// The run may end once converged and the whole phase is trained; the
    /// batches before that are cut to end exactly there.
    func testEndsAfterThePhaseWhenConverged() {
        var polish = PolishSchedule(sequences: 20, rateFactor: 0.1)
        var rate = 1e-3
        XCTAssertNil(polish.sequencesLeft(after: 5), "no phase yet")
        XCTAssertTrue(polish.startIfDue(converged: true, sequencesSeen: 10, learningRate: &rate))
        XCTAssertFalse(polish.mayEnd(converged: true, sequencesSeen: 10), "the first convergence starts it")
        XCTAssertEqual(polish.sequencesLeft(after: 10), 20)
        XCTAssertEqual(polish.sequencesLeft(after: 29), 1)
        XCTAssertFalse(polish.mayEnd(converged: true, sequencesSeen: 29))
        XCTAssertNil(polish.sequencesLeft(after: 30))
        XCTAssertTrue(polish.mayEnd(converged: true, sequencesSeen: 30))
        XCTAssertFalse(polish.mayEnd(converged: false, sequencesSeen: 30), "a relapse keeps it going")
        XCTAssertTrue(polish.mayEnd(converged: true, sequencesSeen: 45))
        XCTAssertNil(polish.sequencesLeft(after: 45))
    }

    /// An enabled schedule that has not begun does not let the run end:
    /// convergence must start the polish first.
    func testConvergenceBeforeThePhaseDoesNotEndTheRun() {
        let polish = PolishSchedule(sequences: 20, rateFactor: 0.1)
        XCTAssertFalse(polish.mayEnd(converged: true, sequencesSeen: 10))
    }

    /// --polish 0: no phase, the run may end at convergence at its full rate.
    func testNoPolish() {
        var polish = PolishSchedule(sequences: 0, rateFactor: 0.03)
        var rate = 1e-3
        XCTAssertFalse(polish.isEnabled)
        XCTAssertFalse(polish.startIfDue(converged: true, sequencesSeen: 10, learningRate: &rate))
        XCTAssertNil(polish.startedAt)
        XCTAssertEqual(rate, 1e-3)
        XCTAssertNil(polish.sequencesLeft(after: 10))
        XCTAssertFalse(polish.mayEnd(converged: false, sequencesSeen: 10))
        XCTAssertTrue(polish.mayEnd(converged: true, sequencesSeen: 10))
        XCTAssertEqual(polish.ending(sequencesSeen: 10, stoppedByBudget: false), .converged)
    }

    /// Resuming a run saved mid-polish: the start comes back, the rate (in
    /// the saved optimiser) is not lowered again, and the phase ends where
    /// it would have.
    func testResumeMidPolish() {
        var polish = PolishSchedule(sequences: 20, rateFactor: 0.1, startedAt: 10)
        var rate = 1e-4
        XCTAssertEqual(polish.end, 30)
        XCTAssertFalse(polish.startIfDue(converged: true, sequencesSeen: 17, learningRate: &rate))
        XCTAssertEqual(rate, 1e-4)
        XCTAssertEqual(polish.startedAt, 10)
        XCTAssertEqual(polish.sequencesLeft(after: 17), 13)
        XCTAssertFalse(polish.mayEnd(converged: true, sequencesSeen: 17))
        XCTAssertTrue(polish.mayEnd(converged: true, sequencesSeen: 30))
        XCTAssertEqual(polish.ending(sequencesSeen: 30, stoppedByBudget: false), .polished)

        // Resumed with --polish 0 after the phase began: it is over at once.
        let cut = PolishSchedule(sequences: 0, rateFactor: 0.1, startedAt: 10)
        XCTAssertEqual(cut.end, 10)
        XCTAssertTrue(cut.mayEnd(converged: true, sequencesSeen: 17))
        XCTAssertEqual(cut.ending(sequencesSeen: 17, stoppedByBudget: false), .polished)
    }

    /// How a converged run ended, from its start, its length and whether a
    /// budget stopped it (what `ntm reproduce` labels a job with).
    func testEnding() {
        let polish = PolishSchedule(sequences: 150_000, startedAt: 4_042)
        XCTAssertEqual(polish.ending(sequencesSeen: 154_042, stoppedByBudget: false), .polished)
        XCTAssertEqual(polish.ending(sequencesSeen: 160_000, stoppedByBudget: false), .polished)
        // A budget inside the phase cuts it short.
        XCTAssertEqual(polish.ending(sequencesSeen: 100_000, stoppedByBudget: true), .polishCutShort)
        XCTAssertEqual(polish.ending(sequencesSeen: 154_041, stoppedByBudget: false), .polishCutShort)
        // A budget that ends the run exactly at, or after, the end of the
        // phase still counts as cutting it short: the run did not stop on its own.
        XCTAssertEqual(polish.ending(sequencesSeen: 154_042, stoppedByBudget: true), .polishCutShort)
        XCTAssertEqual(polish.ending(sequencesSeen: 200_000, stoppedByBudget: true), .polishCutShort)
        // Never polished.
        XCTAssertEqual(PolishSchedule().ending(sequencesSeen: 5_000, stoppedByBudget: false), .converged)
    }

    /// An end beyond `Int.max` saturates rather than trapping.
    func testEndSaturates() {
        let polish = PolishSchedule(sequences: Int.max, startedAt: 10)
        XCTAssertEqual(polish.end, Int.max)
        XCTAssertEqual(polish.sequencesLeft(after: 10), Int.max - 10)
        XCTAssertFalse(polish.mayEnd(converged: true, sequencesSeen: 1_000_000))
    }
}
