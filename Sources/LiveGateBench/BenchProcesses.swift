import Foundation
import LiveGateLocal

/// The processes the bench starts: the worker under test (`livegate run`) and the server in front of it
/// (`livegate serve`), each in its own process so its memory and CPU are its own. They share the bench's
/// output (at the `error` log level they write next to nothing), and are stopped by `ChildProcess`, or killed
/// when the bench lets go of them on an error path.
///
/// `fetch.wait.max.ms=2` for both and in `VerdictClock`: the embedded broker parks a fetch that finds no data
/// for the whole wait, even when records arrive meanwhile (a real broker answers at once), so each consumer
/// hop would add up to the wait to the measured latency.
enum BenchProcesses {
    /// The worker under test, in the consumer group `group`. The bench's inputs are unsigned and carry the
    /// producer's timestamps (the embedded broker keeps them), and `livegate run` refuses to start without key
    /// sets unless allowed: so it runs with the allowances. What it measures, attempts, needs no signature.
    static func worker(
        executable: String, brokers: String, databaseURL: String, batchMax: Int,
        lanes: Int
    ) throws -> ChildProcess {
        try ChildProcess(
            executable,
            [
                "run", "--brokers", brokers, "--database-url", databaseURL, "--group", group,
                "--batch-max", String(batchMax), "--lanes", String(lanes), "--log-level", logLevel, "--kafka-config",
                "fetch.wait.max.ms=2",
                "--allow-unsigned-decisions", "--allow-unsigned-resolutions", "--allow-producer-time",
                "--stage-stamps",
            ])
    }

    /// `livegate serve` with the one-call verdict path on, listening on 127.0.0.1:`port`.
    static func serve(
        executable: String, brokers: String, databaseURL: String, port: Int,
        maxWaiting: Int
    ) throws -> ChildProcess {
        try ChildProcess(
            executable,
            [
                "serve", "--brokers", brokers, "--database-url", databaseURL, "--listen", "127.0.0.1:\(port)",
                "--max-waiting", String(maxWaiting), "--log-level", logLevel, "--kafka-config", "fetch.wait.max.ms=2",
            ])
    }

    /// The consumer group of the worker under test (its lanes' heartbeats carry it too).
    static let group = "bench"

    /// The children's log level: `error` unless `LIVEGATE_BENCH_WORKER_LOG_LEVEL` says otherwise (`info` shows
    /// the worker's progress lines, with the time per batch spent in each stage).
    static var logLevel: String { ProcessInfo.processInfo.environment["LIVEGATE_BENCH_WORKER_LOG_LEVEL"] ?? "error" }
}

extension ChildProcess {
    /// Peak resident memory so far (VmHWM), in MiB; 0 once it has ended.
    func peakRSSMegabytes() -> Double { memoryMegabytes("VmHWM:") }

    /// Resident memory now (VmRSS), in MiB; 0 once it has ended.
    func rssMegabytes() -> Double { memoryMegabytes("VmRSS:") }

    private func memoryMegabytes(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
            let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }
}
