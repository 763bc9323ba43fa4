import Foundation
import Kafka
import LiveGateCore
import Logging

/// Counters a worker logs periodically and on exit, with where the time of the last interval went: waiting
/// for records, decoding, applying in PostgreSQL, publishing (until acknowledged) and committing offsets.
struct WorkerStats {
    private(set) var batches = 0
    private(set) var records = 0
    private(set) var deadLetters = 0
    /// Records PostgreSQL refused alone, dead-lettered as `apply_failed`.
    private(set) var refused = 0
    private var lastReport = Date()
    private var stageNanos: [Stage: UInt64] = [:]
    private var stageMaxNanos: [Stage: UInt64] = [:]
    private var intervalBatches = 0
    private var intervalRecords = 0

    enum Stage: String, CaseIterable { case idle, poll, decode, apply, publish, commit }

    /// Seconds between progress lines.
    static let reportIntervalSeconds = 10.0

    mutating func count(_ plan: BatchPlan) {
        batches += 1
        records += plan.records.count
        deadLetters += plan.deadLetterCount
        intervalBatches += 1
        intervalRecords += plan.records.count
    }

    mutating func countRefused(_ outcomes: [EventOutcome]) {
        refused += outcomes.count { if case .refused = $0 { true } else { false } }
    }

    /// Runs `body`, adding its duration to `stage`.
    mutating func time<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(DispatchTime.now().uptimeNanoseconds - start, to: stage) }
        return try body()
    }

    /// Polls with `body`; the time of a poll that returned nothing counts as idle, not as a batch's.
    mutating func timePoll(_ body: () throws -> KafkaConsumer.Polled) rethrows -> KafkaConsumer.Polled {
        let start = DispatchTime.now().uptimeNanoseconds
        let polled = try body()
        add(DispatchTime.now().uptimeNanoseconds - start, to: polled.records.isEmpty ? .idle : .poll)
        return polled
    }

    private mutating func add(_ nanos: UInt64, to stage: Stage) {
        WorkerMetrics.stages[stage]?.recordNanoseconds(nanos)
        stageNanos[stage, default: 0] += nanos
        stageMaxNanos[stage] = max(stageMaxNanos[stage, default: 0], nanos)
    }

    var shouldReport: Bool { Date().timeIntervalSince(lastReport) >= Self.reportIntervalSeconds }

    var metadata: Logger.Metadata {
        var m: Logger.Metadata = [
            "batches": "\(batches)", "records": "\(records)", "dead_letters": "\(deadLetters)",
            "apply_failed": "\(refused)",
        ]
        guard intervalBatches > 0 else { return m }
        m["mean_batch"] = "\(intervalRecords / intervalBatches)"
        m["idle_ms"] = "\(stageNanos[.idle, default: 0] / 1_000_000)"
        for stage in Stage.allCases where stage != .idle {
            let ms = Double(stageNanos[stage, default: 0]) / 1e6 / Double(intervalBatches)
            m["\(stage.rawValue)_ms_per_batch"] = "\((ms * 100).rounded() / 100)"
            m["\(stage.rawValue)_ms_max"] = "\((Double(stageMaxNanos[stage, default: 0]) / 1e4).rounded() / 100)"
        }
        return m
    }

    /// Starts a new interval for the per-stage figures.
    mutating func reported() {
        lastReport = Date()
        stageNanos = [:]
        stageMaxNanos = [:]
        intervalBatches = 0
        intervalRecords = 0
    }
}
