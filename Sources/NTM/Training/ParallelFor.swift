#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs `body(worker)` for `worker` in `0..<workers`, worker 0 on the calling
/// thread and the rest on POSIX threads, and returns when all are done. The
/// work each worker does is fixed by its index, never by timing, which is
/// what keeps training deterministic across thread counts.
func runWorkers(_ workers: Int, _ body: @escaping (Int) -> Void) {
    guard workers > 1 else { body(0); return }
    final class Job {
        let body: (Int) -> Void
        let worker: Int
        init(_ body: @escaping (Int) -> Void, _ worker: Int) { self.body = body; self.worker = worker }
    }
    var threads: [pthread_t] = []
    var inline: [Int] = []
    for worker in 1..<workers {
        let job = Unmanaged.passRetained(Job(body, worker)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
            job.body(job.worker)
            return nil
        }, job)
        if status == 0 {
            threads.append(thread)
        } else {
            // No thread to be had: do the work here; the result is the same.
            Unmanaged<Job>.fromOpaque(job).release()
            inline.append(worker)
        }
    }
    body(0)
    for worker in inline { body(worker) }
    for thread in threads { pthread_join(thread, nil) }
}
