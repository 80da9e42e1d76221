#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// What a `WorkerPool` runs: `run(worker:)` for every worker index.
protocol WorkerJob: AnyObject {
    func run(worker: Int)
}

/// A fixed set of threads that run one job at a time, the calling thread
/// being worker 0. Threads are made once, not per batch, and a job is a
/// class reference, so running one allocates nothing. The work each worker
/// does is fixed by its index, never by timing, which is what keeps
/// training deterministic across thread counts.
final class WorkerPool {
    let workers: Int
    private var threads: [pthread_t] = []
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let start = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var generation = 0
    private var running = 0
    private var stopping = false
    private unowned(unsafe) var job: WorkerJob? = nil
    /// `generation` and `running`, readable without the mutex: a thread
    /// that has just finished spins on them for a short while before it
    /// sleeps, since the next phase usually follows within microseconds
    /// (a batch's reduction after its sequences, the next batch after the
    /// update) and a sleeping thread takes tens of microseconds to wake.
    /// The mutex and condition variables still decide; these only say
    /// when to look.
    private let publishedGeneration = Atomic<Int>(0)
    private let publishedRunning = Atomic<Int>(0)
    /// Loads of the atomic before giving up and sleeping: about 30 µs on
    /// the project's machine, longer than a copy update's optimiser step
    /// (measured: batch 16 on 2 threads 4 % faster than with 20,000 loads,
    /// 11 % faster than sleeping at once).
    private static let spinLimit = 100_000

    /// A pool of `workers` threads in all (the caller included). When the
    /// system refuses a thread, the pool is smaller: the caller then runs
    /// the missing workers' indices itself, with the same results.
    init(workers: Int) {
        self.workers = max(1, workers)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(start, nil)
        pthread_cond_init(finished, nil)
        for index in 1..<self.workers {
            let context = Unmanaged.passRetained(ThreadContext(pool: .passUnretained(self), index: index)).toOpaque()
            var thread = pthread_t()
            if pthread_create(&thread, nil, { raw in
                let context = Unmanaged<ThreadContext>.fromOpaque(raw!).takeRetainedValue()
                // No strong reference to the pool from its own threads, or
                // its deinit (which stops and joins them) could never run.
                context.pool._withUnsafeGuaranteedRef { $0.loop(index: context.index) }
                return nil
            }, context) == 0 {
                threads.append(thread)
            } else {
                // Workers 1…threads.count have threads; the caller runs the rest.
                Unmanaged<ThreadContext>.fromOpaque(context).release()
                break
            }
        }
    }

    private final class ThreadContext {
        let pool: Unmanaged<WorkerPool>
        let index: Int
        init(pool: Unmanaged<WorkerPool>, index: Int) { self.pool = pool; self.index = index }
    }

    deinit {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(start)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        pthread_cond_destroy(start); pthread_cond_destroy(finished); pthread_mutex_destroy(mutex)
        start.deallocate(); finished.deallocate(); mutex.deallocate()
    }

    /// Runs `job.run(worker:)` for every worker index and returns when all are done.
    func run(_ job: WorkerJob) {
        let started = threads.count
        if started > 0 {
            pthread_mutex_lock(mutex)
            self.job = job
            running = started
            publishedRunning.store(started, ordering: .relaxed)
            generation &+= 1
            publishedGeneration.store(generation, ordering: .relaxed)
            pthread_cond_broadcast(start)
            pthread_mutex_unlock(mutex)
        }
        job.run(worker: 0)
        for index in (started + 1)..<max(workers, started + 1) { job.run(worker: index) }
        if started > 0 {
            var spins = 0
            while publishedRunning.load(ordering: .relaxed) > 0 && spins < Self.spinLimit { spins &+= 1 }
            pthread_mutex_lock(mutex)
            while running > 0 { pthread_cond_wait(finished, mutex) }
            self.job = nil
            pthread_mutex_unlock(mutex)
        }
    }

    /// Kept out of line so that any reference to the job taken for the call
    /// is released before the worker reports that it is done: the caller may
    /// free the job as soon as `run` returns.
    @inline(never)
    private func runJob(worker index: Int) { job?.run(worker: index) }

    private func loop(index: Int) {
        var seen = 0
        while true {
            var spins = 0
            while publishedGeneration.load(ordering: .relaxed) == seen && spins < Self.spinLimit { spins &+= 1 }
            pthread_mutex_lock(mutex)
            while generation == seen && !stopping { pthread_cond_wait(start, mutex) }
            if stopping { break }
            seen = generation
            pthread_mutex_unlock(mutex)
            runJob(worker: index)
            pthread_mutex_lock(mutex)
            running -= 1
            publishedRunning.store(running, ordering: .relaxed)
            if running == 0 { pthread_cond_signal(finished) }
            pthread_mutex_unlock(mutex)
        }
        pthread_mutex_unlock(mutex)
    }
}
