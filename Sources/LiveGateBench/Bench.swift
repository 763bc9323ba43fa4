import Foundation
import Histogram
import LiveGateCore

/// `livegate bench`: the batched pipeline closed-loop (maximum throughput), open-loop at a fixed rate
/// (latency under load), the same pipeline with batches of one, and the database floor, in one run.
public struct Bench {
    public struct Report: Sendable {
        public var attempts = 0
        public var tenants = 0
        public var lanes = 0
        public var throughputPerSecond = 0.0
        public var closedLoopLatencyMs: [String: Double] = [:]
        public var openLoopRate = 0
        public var openLoopThroughput = 0.0
        public var latencyMs: [String: Double] = [:]
        public var batchOfOneAttempts = 0
        public var batchOfOneThroughput = 0.0
        public var dbFloorThroughput = 0.0
        public var workerRSSMaxMB = 0.0

        public var speedupOverBatchOfOne: Double { throughputPerSecond / max(batchOfOneThroughput, 1e-9) }
        public var shareOfFloor: Double { throughputPerSecond / max(dbFloorThroughput, 1e-9) }
    }

    public let config: BenchConfig
    public init(config: BenchConfig) { self.config = config }

    /// Runs every phase, reporting progress lines through `log`.
    public func run(log: (String) -> Void) throws -> Report {
        var report = Report()
        report.attempts = config.attempts
        report.tenants = config.tenants
        report.lanes = config.lanes
        log("closed loop: \(config.attempts) attempts over \(config.tenants) tenants, batches up to \(config.batchMax), \(config.lanes) lane(s)…")
        let closed = try PipelinePhase(config: config, name: "closed").run(attempts: config.attempts, batchMax: config.batchMax)
        report.throughputPerSecond = closed.throughputPerSecond
        report.closedLoopLatencyMs = Self.percentiles(closed.latencyMs)
        report.workerRSSMaxMB = closed.workerRSSMaxMB

        let rate = config.rate ?? max(1, Int(closed.throughputPerSecond / 2))
        let openCount = max(1_000, min(config.attempts, rate * 20))
        log("open loop: \(openCount) attempts offered at \(rate)/s…")
        let open = try PipelinePhase(config: config, name: "open").run(attempts: openCount, batchMax: config.batchMax,
                                                                     ratePerSecond: rate)
        report.openLoopRate = rate
        report.openLoopThroughput = open.throughputPerSecond
        report.latencyMs = Self.percentiles(open.latencyMs)
        report.workerRSSMaxMB = max(report.workerRSSMaxMB, open.workerRSSMaxMB)

        log("batch of one: \(config.batchOfOneAttempts) attempts, one transaction each…")
        let one = try PipelinePhase(config: config, name: "one").run(attempts: config.batchOfOneAttempts, batchMax: 1)
        report.batchOfOneAttempts = config.batchOfOneAttempts
        report.batchOfOneThroughput = one.throughputPerSecond

        log("database floor: \(config.attempts) attempts of minimal SQL, 200 per transaction, \(config.lanes) connection(s)…")
        let floorURL = try BenchSchema.create(server: config.databaseURL, name: "floor")
        defer { BenchSchema.drop(server: config.databaseURL, url: floorURL) }
        report.dbFloorThroughput = try DatabaseFloor.measure(url: floorURL, attempts: config.attempts, tenants: config.tenants,
                                                          connections: config.lanes)
        return report
    }

    static func percentiles(_ h: Histogram<UInt64>) -> [String: Double] {
        ["p50": Double(h.valueAtPercentile(50)), "p99": Double(h.valueAtPercentile(99)),
         "p999": Double(h.valueAtPercentile(99.9)), "max": Double(h.max)]
    }
}

extension Bench.Report {
    /// The table a person reads.
    public var table: String {
        func f(_ x: Double) -> String { String(format: "%.0f", x) }
        func lat(_ l: [String: Double]) -> String {
            "p50 \(f(l["p50"] ?? 0)) ms, p99 \(f(l["p99"] ?? 0)) ms, p99.9 \(f(l["p999"] ?? 0)) ms, max \(f(l["max"] ?? 0)) ms"
        }
        return """
            LiveGate bench: \(attempts) attempts over \(tenants) tenants (embedded broker, durable PostgreSQL, worker in its own process with \(lanes) lane(s))

              mode                          verdicts/s   latency publish → verdict
              batched, closed loop          \(f(throughputPerSecond).padding(toLength: 12, withPad: " ", startingAt: 0)) \(lat(closedLoopLatencyMs))
              batched, open loop at \(String(openLoopRate).padding(toLength: 7, withPad: " ", startingAt: 0))  \(f(openLoopThroughput).padding(toLength: 12, withPad: " ", startingAt: 0)) \(lat(latencyMs))
              batches of one                \(f(batchOfOneThroughput).padding(toLength: 12, withPad: " ", startingAt: 0)) (\(batchOfOneAttempts) attempts)
              database floor (SQL only)     \(f(dbFloorThroughput).padding(toLength: 12, withPad: " ", startingAt: 0)) (\(lanes) connection(s))

              batched / batches of one      \(String(format: "%.1f", speedupOverBatchOfOne))×
              batched / database floor      \(String(format: "%.0f", shareOfFloor * 100))%
              worker peak RSS               \(String(format: "%.1f", workerRSSMaxMB)) MiB
            """
    }

    /// One JSON line for scripts.
    public var json: String {
        func n(_ x: Double) -> JSONValue { .number(String(format: "%.3f", x)) }
        func lat(_ l: [String: Double]) -> JSONValue { .object(["p50", "p99", "p999", "max"].map { ($0, n(l[$0] ?? 0)) }) }
        return JSONWriter.string(.object([
            ("attempts", .number(String(attempts))), ("tenants", .number(String(tenants))), ("lanes", .number(String(lanes))),
            ("throughput_per_s", n(throughputPerSecond)), ("closed_loop_latency_ms", lat(closedLoopLatencyMs)),
            ("open_loop", .object([("rate_per_s", .number(String(openLoopRate))), ("throughput_per_s", n(openLoopThroughput))])),
            ("latency_ms", lat(latencyMs)),
            ("batch_of_one", .object([("attempts", .number(String(batchOfOneAttempts))), ("throughput_per_s", n(batchOfOneThroughput))])),
            ("db_floor", .object([("throughput_per_s", n(dbFloorThroughput))])),
            ("worker_rss_mb_max", n(workerRSSMaxMB)),
            ("ratios", .object([("batched_over_batch_of_one", n(speedupOverBatchOfOne)), ("batched_over_db_floor", n(shareOfFloor))])),
        ]))
    }
}
