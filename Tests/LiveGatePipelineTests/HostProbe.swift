import Foundation
import Synchronization

/// How the host answered while a proof waited on processes: a 10 ms sleep every 100 ms on a thread of its own,
/// whose overshoot is how long a runnable thread waited for a core. So a proof that times out can say whether
/// the pipeline itself was late or the host starved every process alike (a loaded CI machine, 2 cores shared
/// with other builds). Bounded: at most `maxSamples` samples (about 50 minutes).
final class HostProbe: Sendable {
    static let stepMillis = 10.0
    static let maxSamples = 30_000
    private let samples = Mutex<[Double]>([])
    private let running = Atomic<Bool>(true)

    /// Starts sampling at once; `report()` stops it.
    init() {
        let thread = Thread { [self] in
            while running.load(ordering: .relaxed) {
                let start = DispatchTime.now().uptimeNanoseconds
                usleep(UInt32(Self.stepMillis * 1000))
                let tookMillis = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                samples.withLock { if $0.count < Self.maxSamples { $0.append(tookMillis - Self.stepMillis) } }
                usleep(90_000)
            }
        }
        thread.name = "host-probe"
        thread.start()
    }

    /// What the host did while the probe ran.
    struct Report: CustomStringConvertible {
        let samples: Int
        /// Overshoot of the 10 ms step, in milliseconds.
        let p50Millis: Double
        let p99Millis: Double
        let maxMillis: Double
        /// `/proc/loadavg`'s first figure when the report was taken, if readable.
        let loadAverage: String

        /// The host, not the pipeline, explains a late answer: a runnable thread waited a quarter second or
        /// more for a core at the 99th percentile, or a second at worst.
        var starved: Bool { p99Millis >= 250 || maxMillis >= 1000 }

        var description: String {
            let verdict =
                starved
                ? "the host was starved"
                : "the host answered promptly (a delay was the pipeline's, not the host's)"
            return String(
                format: "%@ (a 10 ms step overshot by p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d samples; "
                    + "load average %@)", verdict, p50Millis, p99Millis, maxMillis, samples, loadAverage)
        }
    }

    func report() -> Report {
        running.store(false, ordering: .relaxed)
        let sorted = samples.withLock { $0 }.sorted()
        func quantile(_ q: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
        }
        let load =
            (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").first.map(String.init) ?? "n/a"
        return Report(
            samples: sorted.count, p50Millis: quantile(0.5), p99Millis: quantile(0.99),
            maxMillis: sorted.last ?? 0, loadAverage: load)
    }
}
