import Foundation
import Histogram
import LiveGateLocal
import LiveGateStore

#if canImport(Glibc)
    import Glibc
#endif

/// The one-call path measured: the same rig as `PipelinePhase`, plus `livegate serve --brokers` in its own
/// process, called over HTTP (`POST /v1/transaction-attempts`) at a fixed rate. Every attempt is timed twice
/// in the same run: the call, from its due time to the verdict in the caller's hands, and the pipeline alone,
/// from the record serve published to its verdict on the topic (`VerdictClock`). What the first adds to the
/// second is the cost of the HTTP hop.
struct CallPhase {
    struct Result {
        let calls: Int
        let seconds: Double
        let callLatencyMicros: Histogram<UInt64>
        /// The same attempts, publish → verdict on the topic.
        let pipelineLatencyMs: Histogram<UInt64>
        let statuses: [Int: Int]
        let serveCPUMicrosPerCall: Double?
        let servePeakRSSMB: Double
        let workerRSSMaxMB: Double

        var callsPerSecond: Double { Double(calls) / max(seconds, 1e-9) }
    }

    let config: BenchConfig
    /// Threads (and connections) of the caller: enough for a quarter second of answers at the rate.
    static func connections(rate: Int) -> Int { min(2_000, max(16, rate / 4)) }
    /// How long a call may wait for its verdict before serve answers 202.
    static let waitMillis = 10_000

    func run(calls count: Int, ratePerSecond rate: Int) throws -> Result {
        let rig = try PhaseRig(config: config, name: "call", attempts: count, batchMax: config.batchMax)
        defer { rig.close() }
        let port = try Self.freePort()
        let serve = try BenchProcesses.serve(
            executable: config.executable, brokers: rig.broker.bootstrapServers,
            databaseURL: rig.url, port: port,
            maxWaiting: max(10_000, Self.connections(rate: rate)))
        defer { serve.stop() }
        try Self.awaitReady(port: port)
        let cpuBefore = ProcessCPU.seconds(serve.pid)
        let load = CallLoad(
            host: "127.0.0.1", port: port, path: "/v1/transaction-attempts?wait_ms=\(Self.waitMillis)",
            connections: Self.connections(rate: rate))
        var bodies = rig.work.attempts.map(\.value)
        rig.work.stamp(&bodies, 0..<bodies.count, at: WallClock.now())  // one instant: the phase lasts seconds
        let outcome = load.run(bodies: bodies, ratePerSecond: rate)
        let cpuAfter = ProcessCPU.seconds(serve.pid)
        if let failure = outcome.firstFailure {
            throw BenchError.failed(
                phase: "call", reason: "\(outcome.statuses[0] ?? 0) calls got no answer; first: \(failure)")
        }
        guard rig.clock.waitWhileAnswering(stallSeconds: PhaseRig.stallSeconds) else {
            throw BenchError.incomplete(
                phase: "call", answered: rig.clock.answered, expected: count - rig.work.repeats,
                droppedUnread: rig.clock.droppedUnread)
        }
        let cpu = cpuBefore.flatMap { before in cpuAfter.map { ($0 - before) * 1e6 / Double(max(1, count)) } }
        return Result(
            calls: count, seconds: outcome.seconds, callLatencyMicros: outcome.latencyMicros,
            pipelineLatencyMs: rig.clock.histogram, statuses: outcome.statuses, serveCPUMicrosPerCall: cpu,
            servePeakRSSMB: serve.peakRSSMegabytes(), workerRSSMaxMB: rig.worker.peakRSSMegabytes())
    }

    /// A port nobody listens on now (the kernel's choice for port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchError.failed(phase: "call", reason: "no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits (at most 60 s) until serve answers `/readyz` with 200: PostgreSQL answers and its verdict feed
    /// reads from the topic's end.
    static func awaitReady(port: Int) throws {
        var last = "no answer"
        for _ in 0..<600 {
            do {
                let answer = try HTTPConnection(host: "127.0.0.1", port: port, timeoutSeconds: 5).send(
                    method: "GET", path: "/readyz")
                if answer.status == 200 { return }
                last = "\(answer.status) \(String(decoding: answer.body, as: UTF8.self))"
            } catch {
                last = "\(error)"
            }
            usleep(100_000)
        }
        throw BenchError.failed(phase: "call", reason: "livegate serve was not ready within 60 s (\(last))")
    }
}
