import Foundation
import Histogram
import Synchronization

/// Calls at a fixed rate, whatever the answers do (an open loop): call `i` is due at `start + i / rate`, and
/// its latency runs from that moment to the end of its answer, so a call that had to wait for a free
/// connection counts its wait too (no coordinated omission). `connections` threads, one keep-alive
/// connection each, take the calls in order; a thread holds at most one call, so `connections / rate`
/// seconds of answers may be outstanding before calls start late.
struct CallLoad {
    struct Result {
        /// From the first call's due time to the last answer.
        let seconds: Double
        /// Microseconds from each call's due time to its answer, for answers with a verdict (200).
        let latencyMicros: Histogram<UInt64>
        /// Answers by HTTP status; 0 counts calls that got no answer (their connection failed).
        let statuses: [Int: Int]
        /// The first failure seen, if any.
        let firstFailure: String?
    }

    let host: String
    let port: Int
    let path: String
    let connections: Int

    func run(bodies: [[UInt8]], ratePerSecond: Int) -> Result {
        let next = Atomic<Int>(0)
        let merged = Mutex<(histogram: Histogram<UInt64>, statuses: [Int: Int], failure: String?, last: Date)>(
            (Self.histogram(), [:], nil, Date.distantPast))
        let finished = DispatchSemaphore(value: 0), connected = DispatchSemaphore(value: 0)
        // Every thread connects before the clock starts: a connection's setup is not part of any call.
        let start = Mutex<Date?>(nil), go = DispatchSemaphore(value: 0)
        let threads = max(1, min(connections, bodies.count))
        for _ in 0..<threads {
            let thread = Thread { [self] in
                defer { finished.signal() }
                var histogram = Self.histogram(), statuses: [Int: Int] = [:], failure: String?, last = Date.distantPast
                var connection = try? HTTPConnection(host: host, port: port)
                connected.signal()
                go.wait()
                let start = start.withLock { $0! }
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    guard i < bodies.count else { break }
                    let due = start.addingTimeInterval(Double(i) / Double(ratePerSecond))
                    let wait = due.timeIntervalSinceNow
                    if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
                    do {
                        if connection == nil { connection = try HTTPConnection(host: host, port: port) }
                        let answer = try connection!.send(method: "POST", path: path, body: bodies[i])
                        statuses[answer.status, default: 0] += 1
                        last = Date()
                        // Only verdicts in hand are timed; other answers are counted by status.
                        if answer.status == 200 {
                            histogram.record(UInt64(max(0, last.timeIntervalSince(due) * 1_000_000)))
                        }
                    } catch {
                        connection = nil
                        statuses[0, default: 0] += 1
                        failure = failure ?? "\(error)"
                        last = Date()
                    }
                }
                merged.withLock { merged in
                    merged.histogram.add(histogram)
                    merged.statuses.merge(statuses, uniquingKeysWith: +)
                    merged.failure = merged.failure ?? failure
                    merged.last = max(merged.last, last)
                }
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        for _ in 0..<threads { connected.wait() }
        let began = Date().addingTimeInterval(0.01)
        start.withLock { $0 = began }
        for _ in 0..<threads { go.signal() }
        for _ in 0..<threads { finished.wait() }
        return merged.withLock { merged in
            Result(
                seconds: merged.last.timeIntervalSince(began), latencyMicros: merged.histogram,
                statuses: merged.statuses,
                firstFailure: merged.failure)
        }
    }

    private static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    }
}
