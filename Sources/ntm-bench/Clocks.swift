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

/// The wall and CPU time of one timed run.
struct TimedSpan {
    var wallSeconds: Double
    var cpuSeconds: Double

    /// Runs `body` and measures it on both clocks.
    static func measure(_ body: () -> Void) -> TimedSpan {
        let cpu0 = processCPUSeconds()
        let wall0 = seconds()
        body()
        let wall = seconds() - wall0
        let cpu = processCPUSeconds() - cpu0
        return TimedSpan(wallSeconds: wall, cpuSeconds: cpu)
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

/// Peak resident set size of the process so far, in MiB.
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024   // ru_maxrss is in KiB on Linux
}
