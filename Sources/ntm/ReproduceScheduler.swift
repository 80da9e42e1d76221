import Foundation
import NTM

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by SIGINT/SIGTERM while `ntm reproduce` runs.
nonisolated(unsafe) var reproduceStopRequested: sig_atomic_t = 0

/// Runs jobs `slots` at a time, longest first, and prints a line as each
/// ends: the job, its result, its time, the elapsed time and an estimate
/// of what remains.
final class ReproduceScheduler: @unchecked Sendable {
    let jobs: [ReproduceJob]
    let slots: Int
    let runsDirectory: String
    let binary: String

    private let lock = NSLock()
    private var next = 0
    private var done = 0
    private var running: [String: (process: Process?, started: Double, estimate: Double)] = [:]
    private(set) var outcomes: [String: ReproduceOutcome] = [:]
    private(set) var errors: [String] = []
    /// Actual over estimated seconds of the jobs run so far (for the ETA).
    private var actualSeconds = 0.0, estimatedSeconds = 0.0
    private let start = now()

    init(jobs: [ReproduceJob], slots: Int, runsDirectory: String, binary: String) {
        self.jobs = jobs
        self.slots = max(1, slots)
        self.runsDirectory = runsDirectory
        self.binary = binary
    }

    var interrupted: Bool { reproduceStopRequested != 0 }

    /// Runs every job (or until interrupted); returns when all workers are done.
    func run() {
        reproduceStopRequested = 0
        let handler: @convention(c) (Int32) -> Void = { _ in reproduceStopRequested = 1 }
        let oldInt = signal(SIGINT, handler)
        let oldTerm = signal(SIGTERM, handler)
        let oldPipe = signal(SIGPIPE, SIG_IGN)
        defer {
            signal(SIGINT, oldInt)
            signal(SIGTERM, oldTerm)
            signal(SIGPIPE, oldPipe)
        }
        let group = DispatchGroup()
        for _ in 0..<min(slots, jobs.count) {
            group.enter()
            let thread = Thread { [self] in
                worker()
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        // Watch for an interrupt: a Ctrl-C on the terminal reaches the
        // children too; a signal sent to this process alone is passed on
        // (once, a second later, so that a child that got the first one is
        // not killed by a second one while it saves).
        var forwarded = false
        var stopSeen: Double? = nil
        while group.wait(timeout: .now() + 0.2) == .timedOut {
            if interrupted && stopSeen == nil { stopSeen = now() }
            if let seen = stopSeen, !forwarded, now() - seen > 1 {
                forwarded = true
                lock.lock()
                let children = running.values.compactMap(\.process)
                lock.unlock()
                for child in children where child.isRunning { kill(child.processIdentifier, SIGINT) }
            }
        }
    }

    private func worker() {
        while true {
            lock.lock()
            if interrupted || next >= jobs.count {
                lock.unlock()
                return
            }
            let job = jobs[next]
            next += 1
            running[job.name] = (nil, now(), job.estimatedSeconds)
            lock.unlock()

            let jobStart = now()
            let runner = ReproduceJobRun(job: job, directory: runsDirectory + "/" + job.name, binary: binary) { [self] p in
                lock.lock()
                running[job.name]?.process = p
                lock.unlock()
            }
            let outcome: ReproduceOutcome
            do {
                outcome = try runner.run()
            } catch let error as CLIError {
                lock.lock()
                errors.append("\(job.label): \(error.message)")
                running[job.name] = nil
                lock.unlock()
                continue
            } catch {
                lock.lock()
                errors.append("\(job.label): \(error)")
                running[job.name] = nil
                lock.unlock()
                continue
            }
            let seconds = now() - jobStart
            lock.lock()
            running[job.name] = nil
            outcomes[job.name] = outcome
            done += 1
            var line: String
            switch outcome {
            case .skipped(let r):
                line = "skipped (finished before): \(r.headline)"
            case .finished(let r), .failed(let r):
                actualSeconds += seconds
                estimatedSeconds += job.estimatedSeconds
                line = r.headline + " · \(clockTime(seconds))"
            case .interrupted:
                line = "interrupted after \(clockTime(seconds)); saved, continues on the next run"
            }
            let elapsed = now() - start
            let eta = remainingSeconds()
            say("[\(pad(String(done), String(jobs.count).count))/\(jobs.count)] \(job.label): \(line) · "
                + "elapsed \(clockTime(elapsed))" + (eta > 0 && !interrupted ? " · ETA \(clockTime(eta))" : ""))
            lock.unlock()
        }
    }

    /// Expected wall seconds left (called with the lock held): the queued
    /// jobs' estimates and what the running ones have left, scaled by how
    /// the finished jobs compared with their estimates, on `slots` workers.
    private func remainingSeconds() -> Double {
        let ratio = estimatedSeconds > 10 ? actualSeconds / estimatedSeconds : 1
        let t = now()
        let busy = running.values.map { max(0, $0.estimate * ratio - (t - $0.started)) }
        let queued = jobs[min(next, jobs.count)...].map { $0.estimatedSeconds * ratio }
        return scheduledWallTime(queued, slots: slots, busy: busy)
    }
}
