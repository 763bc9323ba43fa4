import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The worker under test, in its own process (`livegate run`), so its memory and CPU are its own.
///
/// `fetch.wait.max.ms=2` here and in `VerdictClock`: the embedded broker parks a fetch that finds no data for
/// the whole wait, even when records arrive meanwhile (a real broker answers at once), so each consumer hop
/// would add up to the wait to the measured latency.
final class WorkerChild: Sendable {
    let pid: pid_t

    init(executable: String, brokers: String, databaseURL: String, batchMax: Int, lanes: Int) throws {
        let arguments = [executable, "run", "--brokers", brokers, "--database-url", databaseURL, "--group", Self.group,
                         "--batch-max", String(batchMax), "--lanes", String(lanes), "--log-level", Self.logLevel,
                         "--kafka-config", "fetch.wait.max.ms=2"]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, nil, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        self.pid = pid
    }

    /// The consumer group of the worker under test (its lanes' heartbeats carry it too).
    static let group = "bench"

    /// The worker's log level: `error` unless `LIVEGATE_BENCH_WORKER_LOG_LEVEL` says otherwise (`info` shows
    /// its progress lines, with the time per batch spent in each stage).
    static var logLevel: String { ProcessInfo.processInfo.environment["LIVEGATE_BENCH_WORKER_LOG_LEVEL"] ?? "error" }

    /// Peak resident memory so far (VmHWM), in MiB.
    func peakRSSMegabytes() -> Double { memoryMegabytes("VmHWM:") }

    /// Resident memory now (VmRSS), in MiB.
    func rssMegabytes() -> Double { memoryMegabytes("VmRSS:") }

    private func memoryMegabytes(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<600 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
}
