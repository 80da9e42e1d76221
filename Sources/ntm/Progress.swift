import Foundation
import NTM

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Training progress: on a terminal one line redrawn in place a few times a
/// second; otherwise a plain line every `plainInterval` seconds.
final class ProgressDisplay {
    let enabled: Bool
    let terminal: Bool
    let target: Int?
    let timeBudget: Double?
    let startSequences: Int
    let secondsBefore: Double
    let showsOptimal: Bool
    let start = now()
    var lastDraw = -Double.infinity
    var drewInPlace = false
    /// Recent (time, sequences) samples for the rate.
    var samples: [(t: Double, n: Int)] = []

    static let terminalInterval = 0.25
    static let plainInterval = 10.0

    init(enabled: Bool, terminal: Bool, target: Int?, timeBudget: Double?, startSequences: Int,
         secondsBefore: Double, showsOptimal: Bool) {
        self.enabled = enabled
        self.terminal = terminal
        self.target = target
        self.timeBudget = timeBudget
        self.startSequences = startSequences
        self.secondsBefore = secondsBefore
        self.showsOptimal = showsOptimal
        samples = [(start, startSequences)]
    }

    func update(sequences: Int, tracker: ConvergenceTracker, now t: Double, force: Bool = false) {
        guard enabled else { return }
        let interval = terminal ? Self.terminalInterval : Self.plainInterval
        guard force || t - lastDraw >= interval else { return }
        lastDraw = t
        samples.append((t, sequences))
        // The rate over roughly the last ten seconds.
        while samples.count > 2 && t - samples[1].t >= 10 { samples.removeFirst() }
        let first = samples[0]
        let rate = t > first.t ? Double(sequences - first.n) / (t - first.t) : 0
        let elapsed = secondsBefore + (t - start)

        var fields = [clockTime(elapsed), "\(grouped(sequences)) seq",
                      "loss \(fixed(tracker.meanLossBits, 3)) bits/seq"]
        if showsOptimal {
            fields.append("optimal \(fixed(tracker.meanOptimalBits, 3))")
        } else {
            fields.append("\(fixed(tracker.meanBitErrors, 3)) bit errors/seq")
        }
        fields.append("\(Int(rate.rounded())) seq/s")

        if terminal {
            var line = fields.joined(separator: "  ")
            let columns = terminalColumns()
            if let fraction = fraction(sequences: sequences, now: t) {
                let width = 16
                let filled = Int((fraction * Double(width)).rounded(.down))
                let bar = "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                    + "] \(pad(String(Int(fraction * 100)), 3))%  "
                // The bar only where it fits: a wrapped line cannot be redrawn in place.
                if bar.count + line.count <= columns - 1 { line = bar + line }
            }
            if line.count > columns - 1 { line = String(line.prefix(columns - 1)) }
            print("\r\u{1B}[K" + line, terminator: "")
            fflush(stdout)
            drewInPlace = true
        } else {
            say(fields.joined(separator: "  "))
        }
    }

    /// Fraction of the budget used, if there is one.
    func fraction(sequences: Int, now t: Double) -> Double? {
        var f: Double? = nil
        if let target, target > startSequences {
            f = Double(sequences - startSequences) / Double(target - startSequences)
        }
        if let timeBudget {
            let g = (t - start) / timeBudget
            f = max(f ?? 0, g)
        }
        return f.map { min(max($0, 0), 1) }
    }

    /// Ends the in-place line.
    func finish() {
        if drewInPlace {
            print("")
            fflush(stdout)
            drewInPlace = false
        }
    }

    func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 10 { return Int(size.ws_col) }
        return 100
    }
}
