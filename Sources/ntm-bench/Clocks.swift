// Wall and CPU clocks. Every timed run records both: on a shared machine a
// run whose process got less than its cores' worth of CPU time measured the
// scheduler, not our code, and benchmarks/run.py refuses to compare such a
// run (its CPU share, cpu / (wall × threads), is in the JSON).

#if canImport(Glibc)
import Glibc
#endif

/// Which clocks the figures come from, as the JSON reports them.
let clockDescription = "wall: CLOCK_MONOTONIC; CPU: CLOCK_PROCESS_CPUTIME_ID (user + system, all threads)"

@inline(__always)
func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

func seconds() -> Double { Double(nanoseconds()) * 1e-9 }

/// CPU time of the whole process (every thread, user and system), in seconds.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Time the process's threads spent runnable but waiting for a CPU, summed
/// over its threads, in seconds (the second field of each
/// /proc/self/task/TID/schedstat); nil where the kernel does not provide it.
/// A CPU share below 1 is either this wait (another process had the core)
/// or our own idle time (a worker waiting for the other); this tells which.
func runQueueWaitSeconds() -> Double? {
    guard let directory = opendir("/proc/self/task") else { return nil }
    defer { closedir(directory) }
    var total: UInt64 = 0
    var found = false
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        guard name.first?.isNumber == true, let file = fopen("/proc/self/task/\(name)/schedstat", "r") else { continue }
        var running: UInt64 = 0, waiting: UInt64 = 0
        if readTwoNumbers(file, &running, &waiting) { total &+= waiting; found = true }
        fclose(file)
    }
    return found ? Double(total) * 1e-9 : nil
}

/// Reads the first two unsigned numbers of a schedstat line.
private func readTwoNumbers(_ file: UnsafeMutablePointer<FILE>, _ a: inout UInt64, _ b: inout UInt64) -> Bool {
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, Int32(line.count), file) != nil else { return false }
    let fields = String(cString: line).split(separator: " ").compactMap { UInt64($0) }
    guard fields.count >= 2 else { return false }
    a = fields[0]
    b = fields[1]
    return true
}

/// The wall and CPU time of one timed run, and how long its threads waited
/// for a CPU (nil where the kernel does not say).
struct TimedSpan {
    var wallSeconds: Double
    var cpuSeconds: Double
    var runQueueWaitSeconds: Double?

    /// Runs `body` and measures it on both clocks.
    static func measure(_ body: () -> Void) -> TimedSpan {
        let wait0 = ntm_bench.runQueueWaitSeconds()
        let cpu0 = processCPUSeconds()
        let wall0 = seconds()
        body()
        let wall = seconds() - wall0
        let cpu = processCPUSeconds() - cpu0
        let wait1 = ntm_bench.runQueueWaitSeconds()
        let wait = wait0.flatMap { w0 in wait1.map { $0 - w0 } }
        return TimedSpan(wallSeconds: wall, cpuSeconds: cpu, runQueueWaitSeconds: wait)
    }
}

/// The fraction of `threads` whole cores that a set of runs received:
/// total CPU time over total wall time × threads. Near 1 when the runs had
/// their cores to themselves (spinning workers can push it slightly above).
func cpuShareOfSpans(_ spans: [TimedSpan], threads: Int) -> Double {
    let wall = spans.reduce(0) { $0 + $1.wallSeconds }
    let cpu = spans.reduce(0) { $0 + $1.cpuSeconds }
    return wall > 0 ? cpu / (wall * Double(threads)) : .nan
}

/// Time spent waiting for a CPU over wall × threads: what the CPU share
/// lost to other processes (nil if unknown).
func runQueueWaitShareOfSpans(_ spans: [TimedSpan], threads: Int) -> Double? {
    let wall = spans.reduce(0) { $0 + $1.wallSeconds }
    var wait = 0.0
    for span in spans {
        guard let w = span.runQueueWaitSeconds else { return nil }
        wait += w
    }
    return wall > 0 ? wait / (wall * Double(threads)) : nil
}

/// Peak resident set size of the process so far, in MiB.
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024   // ru_maxrss is in KiB on Linux
}
