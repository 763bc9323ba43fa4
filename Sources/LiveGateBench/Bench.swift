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
        /// The one-call phase: calls offered a second, answered a second, and each call's latency beside the
        /// pipeline's own for the same attempts (ms, to a tenth).
        public var callRate = 0
        public var callsPerSecond = 0.0
        public var callLatencyMs: [String: Double] = [:]
        public var callPipelineLatencyMs: [String: Double] = [:]
        public var callStatuses: [Int: Int] = [:]
        public var serveCPUMicrosPerCall: Double?
        public var servePeakRSSMB = 0.0
        public var workerRSSMaxMB = 0.0
        /// Per attempt, closed loop and the database floor.
        public var pipelineCost: AttemptCost?
        public var floorCost: AttemptCost?
        /// The closed loop in tenths (by answers): verdicts a second within each, the worker's memory at its end.
        public var tenths: [Tenth] = []
        /// The closed loop's answers by status: a run whose attempts were refused (400) measured little.
        public var closedLoopStatuses: [Int: Int] = [:]
        /// Stage by stage (`StageLatency`): the closed loop's and the open loop's.
        var closedLoopStages = StageLatency()
        var openLoopStages = StageLatency()

        /// Throughput of the last tenth of the closed loop over that of the second (the first includes the
        /// ramp-up): below 1 when the run slowed down as its state grew.
        public var lastOverSecondTenth: Double? {
            guard tenths.count == 10 else { return nil }
            return tenths[9].perSecond / max(tenths[1].perSecond, 1e-9)
        }
        /// The worker's resident memory at the end of the closed loop over that at the end of its second tenth.
        public var memoryGrowth: Double? {
            guard tenths.count == 10 else { return nil }
            return tenths[9].workerRSSMB / max(tenths[1].workerRSSMB, 1e-9)
        }

        /// Nil when batches of one were not run (`--closed-loop-only`).
        public var speedupOverBatchOfOne: Double? {
            batchOfOneThroughput > 0 ? throughputPerSecond / batchOfOneThroughput : nil
        }
        public var shareOfFloor: Double { throughputPerSecond / max(dbFloorThroughput, 1e-9) }
        /// What the HTTP hop adds to the pipeline's own latency, at the median; nil when no call was made.
        public var callHopP50Ms: Double? {
            guard let call = callLatencyMs["p50"], let pipeline = callPipelineLatencyMs["p50"] else { return nil }
            return call - pipeline
        }
        /// The call's p99 over the pipeline's own p99.
        public var callOverPipelineP99: Double? {
            guard let call = callLatencyMs["p99"], let pipeline = callPipelineLatencyMs["p99"] else { return nil }
            return call / max(pipeline, 1)
        }
    }

    public let config: BenchConfig
    public init(config: BenchConfig) { self.config = config }

    /// Runs of the database floor in each bench run; the median counts.
    static let floorRuns = 3

    /// Runs every phase, reporting progress lines through `log`.
    public func run(log: (String) -> Void) throws -> Report {
        var report = Report()
        report.attempts = config.attempts
        report.tenants = config.tenants
        report.lanes = config.lanes
        log(
            "closed loop: \(config.attempts) attempts over \(config.tenants) tenants, batches up to \(config.batchMax), \(config.lanes) lane(s)…"
        )
        let closed = try PipelinePhase(config: config, name: "closed").run(
            attempts: config.attempts, batchMax: config.batchMax)
        report.throughputPerSecond = closed.throughputPerSecond
        report.closedLoopLatencyMs = Self.percentiles(closed.latencyMs)
        report.workerRSSMaxMB = closed.workerRSSMaxMB
        report.pipelineCost = closed.cost
        report.closedLoopStatuses = closed.statuses
        report.closedLoopStages = closed.stages
        report.tenths = closed.tenths

        if !config.closedLoopOnly { try runBaselines(&report, closedLoop: closed, log: log) }

        log(
            "database floor: \(config.attempts) attempts of minimal SQL, 200 per transaction, \(config.lanes) connection(s), "
                + "\(Self.floorRuns) times…")
        // The floor finishes in about a second, short enough for one hiccup of the disk to move it by a third:
        // the run with the median throughput counts.
        var floors: [(perSecond: Double, cost: AttemptCost)] = []
        for run in 0..<Self.floorRuns {
            let floorURL = try BenchSchema.create(server: config.databaseURL, name: "floor\(run)")
            defer { BenchSchema.drop(server: config.databaseURL, url: floorURL) }
            floors.append(
                try DatabaseFloor.measure(
                    url: floorURL, attempts: config.attempts, tenants: config.tenants,
                    connections: config.lanes))
        }
        let floor = floors.sorted { $0.perSecond < $1.perSecond }[Self.floorRuns / 2]
        report.dbFloorThroughput = floor.perSecond
        report.floorCost = floor.cost
        return report
    }

    /// The open loop at half the closed loop's rate, and batches of one.
    private func runBaselines(_ report: inout Report, closedLoop closed: PipelinePhase.Result, log: (String) -> Void)
        throws
    {
        let rate = config.rate ?? max(1, Int(closed.throughputPerSecond / 2))
        let openCount = max(1_000, min(config.attempts, rate * 20))
        log("open loop: \(openCount) attempts offered at \(rate)/s…")
        let open = try PipelinePhase(config: config, name: "open").run(
            attempts: openCount, batchMax: config.batchMax,
            ratePerSecond: rate)
        report.openLoopRate = rate
        report.openLoopThroughput = open.throughputPerSecond
        report.latencyMs = Self.percentiles(open.latencyMs)
        report.openLoopStages = open.stages
        report.workerRSSMaxMB = max(report.workerRSSMaxMB, open.workerRSSMaxMB)

        log(
            "one call: \(config.calls) calls of POST /v1/transaction-attempts to livegate serve at \(config.callRate)/s…"
        )
        let call = try CallPhase(config: config).run(calls: config.calls, ratePerSecond: config.callRate)
        report.callRate = config.callRate
        report.callsPerSecond = call.callsPerSecond
        report.callLatencyMs = Self.percentiles(call.callLatencyMicros, scale: 1_000)
        report.callPipelineLatencyMs = Self.percentiles(call.pipelineLatencyMs)
        report.callStatuses = call.statuses
        report.serveCPUMicrosPerCall = call.serveCPUMicrosPerCall
        report.servePeakRSSMB = call.servePeakRSSMB
        report.workerRSSMaxMB = max(report.workerRSSMaxMB, call.workerRSSMaxMB)

        log("batch of one: \(config.batchOfOneAttempts) attempts, one transaction each…")
        let one = try PipelinePhase(config: config, name: "one").run(attempts: config.batchOfOneAttempts, batchMax: 1)
        report.batchOfOneAttempts = config.batchOfOneAttempts
        report.batchOfOneThroughput = one.throughputPerSecond
    }

    /// p50, p99, p99.9 and the maximum, each divided by `scale`.
    static func percentiles(_ h: Histogram<UInt64>, scale: Double = 1) -> [String: Double] {
        [
            "p50": Double(h.valueAtPercentile(50)) / scale, "p99": Double(h.valueAtPercentile(99)) / scale,
            "p999": Double(h.valueAtPercentile(99.9)) / scale, "max": Double(h.max) / scale,
        ]
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

              batched / batches of one      \(speedupOverBatchOfOne.map { String(format: "%.1f×", $0) } ?? "(not run)")
              batched / database floor      \(String(format: "%.2f", shareOfFloor))
              worker peak RSS               \(String(format: "%.1f", workerRSSMaxMB)) MiB
              closed loop answers           \(closedLoopStatuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))

            \(stagesTable)

            \(callTable)

            \(costTable)

            \(tenthsTable)
            """
    }

    /// Which stage of the worker the latency sits in, open loop first (the latency a money path sees).
    var stagesTable: String {
        let lines = openLoopStages.lines("open loop") + closedLoopStages.lines("closed loop")
        return lines.isEmpty ? "  by stage: no verdict carried stage stamps" : lines.joined(separator: "\n")
    }

    /// The closed loop tenth by tenth: flat rows mean the growing state did not slow it down.
    var tenthsTable: String {
        guard !tenths.isEmpty else {
            return
                "  closed loop by tenths: none below \(Timeline.minimumAnswers) attempts (a tenth would be a batch or two)"
        }
        var lines = ["  closed loop, by tenths       answered    verdicts/s    worker RSS"]
        for (i, t) in tenths.enumerated() {
            lines.append(
                "  " + "tenth \(i + 1)".padding(toLength: 28, withPad: " ", startingAt: 0)
                    + String(t.answered).padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(format: "%.0f", t.perSecond).padding(toLength: 14, withPad: " ", startingAt: 0)
                    + String(format: "%.1f MiB", t.workerRSSMB))
        }
        if let ratio = lastOverSecondTenth, let growth = memoryGrowth {
            lines.append(
                String(format: "  last tenth ÷ second tenth    %.2f (throughput), %.2f (worker RSS)", ratio, growth))
        }
        return lines.joined(separator: "\n")
    }

    /// What an attempt costs, closed loop beside the floor.
    var costTable: String {
        func cell(_ value: Double?, _ unit: String) -> String {
            (value.map { String(format: "%.0f \(unit)", $0) } ?? "n/a").padding(
                toLength: 14, withPad: " ", startingAt: 0)
        }
        let p = pipelineCost, f = floorCost
        return """
              per attempt                   pipeline      database floor
              PostgreSQL WAL                \(cell(p?.walBytes, "B"))\(cell(f?.walBytes, "B"))
              PostgreSQL CPU                \(cell(p?.postgresCPUMicros, "µs"))\(cell(f?.postgresCPUMicros, "µs"))
              stored (tables, indexes)      \(cell(p?.storedBytes, "B"))\(cell(f?.storedBytes, "B"))
              worker CPU                    \(cell(p?.workerCPUMicros, "µs"))(no worker)
            """ + (p?.walRange.map { "\n  pipeline WAL from/to (pg_waldump --stats=record -s/-e): \($0)" } ?? "")
                + Self.storedBy("pipeline", p) + Self.storedBy("database floor", f)
    }

    /// The relations an attempt's stored bytes went to, largest first (the five largest).
    static func storedBy(_ phase: String, _ cost: AttemptCost?) -> String {
        guard let parts = cost?.storedByRelation, !parts.isEmpty else { return "" }
        let list = parts.prefix(5).map { "\($0.name) \(String(format: "%.0f", $0.bytes)) B" }
        return "\n  \(phase) stored, by relation: " + list.joined(separator: ", ")
    }

    /// One JSON line for scripts.
    public var json: String {
        func n(_ x: Double) -> JSONValue { .number(String(format: "%.3f", x)) }
        func lat(_ l: [String: Double]) -> JSONValue {
            .object(["p50", "p99", "p999", "max"].map { ($0, n(l[$0] ?? 0)) })
        }
        return JSONWriter.string(
            .object([
                ("attempts", .number(String(attempts))), ("tenants", .number(String(tenants))),
                ("lanes", .number(String(lanes))),
                ("throughput_per_s", n(throughputPerSecond)), ("closed_loop_latency_ms", lat(closedLoopLatencyMs)),
                (
                    "open_loop",
                    .object([
                        ("rate_per_s", .number(String(openLoopRate))), ("throughput_per_s", n(openLoopThroughput)),
                    ])
                ),
                ("latency_ms", lat(latencyMs)),
                ("open_loop_stages_ms", openLoopStages.json), ("closed_loop_stages_ms", closedLoopStages.json),
                (
                    "batch_of_one",
                    .object([
                        ("attempts", .number(String(batchOfOneAttempts))),
                        ("throughput_per_s", n(batchOfOneThroughput)),
                    ])
                ),
                ("db_floor", .object([("throughput_per_s", n(dbFloorThroughput))])),
                ("one_call", callJSON),
                ("worker_rss_mb_max", n(workerRSSMaxMB)),
                (
                    "cost_per_attempt",
                    .object([
                        ("pipeline", pipelineCost.map(Self.json) ?? .null),
                        ("db_floor", floorCost.map(Self.json) ?? .null),
                    ])
                ),
                (
                    "ratios",
                    .object([
                        ("batched_over_batch_of_one", speedupOverBatchOfOne.map(n) ?? .null),
                        ("batched_over_db_floor", n(shareOfFloor)),
                    ])
                ),
                (
                    "closed_loop_tenths",
                    .array(
                        tenths.map { t in
                            .object([
                                ("answered", .number(String(t.answered))), ("per_s", n(t.perSecond)),
                                ("worker_rss_mb", n(t.workerRSSMB)),
                            ])
                        })
                ),
            ]))
    }

    static func json(_ cost: AttemptCost) -> JSONValue {
        func n(_ x: Double?) -> JSONValue { x.map { .number(String(format: "%.1f", $0)) } ?? .null }
        return .object([
            ("wal_bytes", n(cost.walBytes)), ("postgres_cpu_us", n(cost.postgresCPUMicros)),
            ("stored_bytes", n(cost.storedBytes)), ("worker_cpu_us", n(cost.workerCPUMicros)),
        ])
    }
}
