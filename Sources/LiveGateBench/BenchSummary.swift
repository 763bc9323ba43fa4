import Foundation
import LiveGateCore

/// `livegate bench --repeat N`: every figure of N runs as its median and its spread (smallest – largest),
/// so a reader sees what one machine gives and how much it moves from run to run.
public struct BenchSummary: Sendable {
    public let runs: [Bench.Report]

    public init(runs: [Bench.Report]) { self.runs = runs }

    struct Figure {
        let key: String
        let label: String
        let format: String
        let value: @Sendable (Bench.Report) -> Double?
    }

    static let figures = listed + stageFigures

    /// The open loop's p99 in each stage of the worker (`StageLatency`), and how many verdicts had stamps.
    static let stageFigures =
        [
            Figure(key: "open_loop_stamped", label: "open loop, verdicts with stage stamps", format: "%.0f") {
                Double($0.openLoopStages.count)
            }
        ]
        + StageLatency.Stage.allCases.map { stage in
            Figure(key: "open_loop_p99_\(stage)_ms", label: "open loop p99, stage \(stage), ms", format: "%.1f") {
                $0.openLoopStages.count > 0 ? $0.openLoopStages.p99Ms(stage) : nil
            }
        }

    static let listed: [Figure] = [
        Figure(key: "batched_over_db_floor", label: "batched ÷ database floor", format: "%.2f") { $0.shareOfFloor },
        Figure(key: "batched_over_batch_of_one", label: "batched ÷ batches of one", format: "%.1f×") {
            $0.speedupOverBatchOfOne
        },
        Figure(key: "throughput_per_s", label: "closed loop, verdicts/s", format: "%.0f") { $0.throughputPerSecond },
        Figure(key: "open_loop_rate_per_s", label: "open loop, offered/s", format: "%.0f") { Double($0.openLoopRate) },
        Figure(key: "open_loop_p50_ms", label: "open loop p50, ms", format: "%.0f") { $0.latencyMs["p50"] },
        Figure(key: "open_loop_p99_ms", label: "open loop p99, ms", format: "%.0f") { $0.latencyMs["p99"] },
        Figure(key: "open_loop_p999_ms", label: "open loop p99.9, ms", format: "%.0f") { $0.latencyMs["p999"] },
        Figure(key: "call_rate_per_s", label: "one call, offered/s", format: "%.0f") {
            $0.callRate > 0 ? Double($0.callRate) : nil
        },
        Figure(key: "calls_per_s", label: "one call, answered/s", format: "%.0f") {
            $0.callRate > 0 ? $0.callsPerSecond : nil
        },
        Figure(key: "call_p50_ms", label: "one call p50, ms", format: "%.1f") { $0.callLatencyMs["p50"] },
        Figure(key: "call_p99_ms", label: "one call p99, ms", format: "%.1f") { $0.callLatencyMs["p99"] },
        Figure(key: "call_p999_ms", label: "one call p99.9, ms", format: "%.1f") { $0.callLatencyMs["p999"] },
        Figure(key: "call_pipeline_p50_ms", label: "same attempts, pipeline p50, ms", format: "%.1f") {
            $0.callPipelineLatencyMs["p50"]
        },
        Figure(key: "call_pipeline_p99_ms", label: "same attempts, pipeline p99, ms", format: "%.1f") {
            $0.callPipelineLatencyMs["p99"]
        },
        Figure(key: "call_hop_p50_ms", label: "HTTP hop at p50 (call − pipeline), ms", format: "%.1f") {
            $0.callHopP50Ms
        },
        Figure(key: "call_over_pipeline_p99", label: "call p99 ÷ pipeline p99", format: "%.2f") {
            $0.callOverPipelineP99
        },
        Figure(key: "calls_not_200", label: "one call, answers other than 200", format: "%.0f") {
            $0.callRate > 0 ? Double($0.callStatuses.filter { $0.key != 200 }.values.reduce(0, +)) : nil
        },
        Figure(key: "closed_loop_400", label: "closed loop, attempts refused (400)", format: "%.0f") {
            Double($0.closedLoopStatuses[400] ?? 0)
        },
        Figure(key: "serve_cpu_us_per_call", label: "serve CPU per call, µs", format: "%.0f") {
            $0.serveCPUMicrosPerCall
        },
        Figure(key: "batch_of_one_per_s", label: "batches of one, verdicts/s", format: "%.0f") {
            $0.batchOfOneThroughput
        },
        Figure(key: "db_floor_per_s", label: "database floor, attempts/s", format: "%.0f") { $0.dbFloorThroughput },
        Figure(key: "worker_rss_mb_max", label: "worker peak RSS, MiB", format: "%.1f") { $0.workerRSSMaxMB },
        Figure(key: "last_over_second_tenth", label: "closed loop, last tenth ÷ second tenth", format: "%.2f") {
            $0.lastOverSecondTenth
        },
        Figure(key: "worker_rss_growth", label: "worker RSS, end ÷ end of second tenth", format: "%.2f") {
            $0.memoryGrowth
        },
        Figure(key: "pipeline_wal_bytes", label: "WAL per attempt, pipeline, B", format: "%.0f") {
            $0.pipelineCost?.walBytes
        },
        Figure(key: "floor_wal_bytes", label: "WAL per attempt, floor, B", format: "%.0f") { $0.floorCost?.walBytes },
        Figure(key: "pipeline_postgres_cpu_us", label: "PostgreSQL CPU per attempt, pipeline, µs", format: "%.0f") {
            $0.pipelineCost?.postgresCPUMicros
        },
        Figure(key: "floor_postgres_cpu_us", label: "PostgreSQL CPU per attempt, floor, µs", format: "%.0f") {
            $0.floorCost?.postgresCPUMicros
        },
        Figure(key: "pipeline_stored_bytes", label: "stored per attempt, pipeline, B", format: "%.0f") {
            $0.pipelineCost?.storedBytes
        },
        Figure(key: "floor_stored_bytes", label: "stored per attempt, floor, B", format: "%.0f") {
            $0.floorCost?.storedBytes
        },
        Figure(key: "worker_cpu_us", label: "worker CPU per attempt, µs", format: "%.0f") {
            $0.pipelineCost?.workerCPUMicros
        },
    ]

    /// Median and spread of one figure over the runs that have it.
    func stats(_ figure: Figure) -> (median: Double, low: Double, high: Double)? {
        let values = runs.compactMap(figure.value).sorted()
        guard let low = values.first, let high = values.last else { return nil }
        let mid = values.count / 2
        let median = values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
        return (median, low, high)
    }

    public var table: String {
        var lines = ["LiveGate bench, \(runs.count) runs: median (smallest – largest)"]
        for figure in Self.figures {
            guard let s = stats(figure) else { continue }
            let f = { String(format: figure.format, $0) }
            lines.append(
                "  " + figure.label.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + "\(f(s.median))  (\(f(s.low)) – \(f(s.high)))")
        }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        JSONWriter.string(
            .object([
                ("runs", .number(String(runs.count))),
                (
                    "figures",
                    .object(
                        Self.figures.compactMap { figure in
                            stats(figure).map { s in
                                (
                                    figure.key,
                                    .object([
                                        ("median", .number(String(format: "%.3f", s.median))),
                                        ("min", .number(String(format: "%.3f", s.low))),
                                        ("max", .number(String(format: "%.3f", s.high))),
                                    ])
                                )
                            }
                        })
                ),
            ]))
    }
}
