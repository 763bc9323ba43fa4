import Kafka
import LiveGateCore
import Metrics

/// What a worker reports through swift-metrics: nothing is kept until a backend is bootstrapped (as
/// `livegate run --http` does with Prometheus). Every name starts with `livegate_`; counts are per worker
/// process, labelled by what ops alert on.
enum WorkerMetrics {
    static let inputRecords = Counter(label: "livegate_input_records_total")
    static let batchRecords = Recorder(label: "livegate_batch_records", aggregate: true)
    static let isolatedRecords = Counter(label: "livegate_isolated_records_total")
    static let republished = Counter(label: "livegate_republished_outputs_total")
    static let stalledBatches = Counter(label: "livegate_batches_stalled_total")
    static let stages: [WorkerStats.Stage: Timer] = Dictionary(
        uniqueKeysWithValues: WorkerStats.Stage.allCases.map {
            (
                $0,
                Timer(
                    label: "livegate_stage_duration_seconds", dimensions: [("stage", $0.rawValue)],
                    preferredDisplayUnit: .seconds)
            )
        })

    /// Headroom given back by accepted `failed` resolutions, in dollars.
    static let released = FloatingPointCounter(label: "livegate_released_usd_total")

    /// Resolutions by what they said (`settled`, `failed`, `invalid`) and how they were answered.
    static func resolutions(_ resolution: String, _ outcome: String) -> Counter {
        Counter(label: "livegate_resolutions_total", dimensions: [("resolution", resolution), ("outcome", outcome)])
    }

    static func retry(_ reason: String) {
        Counter(label: "livegate_batch_retries_total", dimensions: [("reason", reason)]).increment()
    }

    static func reconnect(_ system: String) {
        Counter(label: "livegate_reconnects_total", dimensions: [("system", system)]).increment()
    }

    /// Verdicts made by the batch (by kind, outcome and reason), what it republished, and its dead letters.
    static func count(_ plan: BatchPlan, _ outcomes: [EventOutcome]) {
        inputRecords.increment(by: plan.records.count)
        batchRecords.record(plan.records.count)
        var verdicts: [VerdictLabel: Int] = [:]
        var deadLetters: [String: Int] = [:]
        var repeated = 0
        for reason in plan.deadLetterReasons { deadLetters[reason.error.rawValue, default: 0] += 1 }
        for outcome in outcomes {
            switch outcome {
            case let .applied(outputs):
                for case let label? in outputs.map(\.label) { verdicts[label, default: 0] += 1 }
            case let .duplicate(outputs): repeated += outputs.count
            case let .conflict(reason), let .refused(reason): deadLetters[reason.error.rawValue, default: 0] += 1
            }
        }
        var releasedMicros: Int64 = 0
        for (label, n) in verdicts {
            Counter(
                label: "livegate_verdicts_total",
                dimensions: [("kind", label.kind), ("outcome", label.outcome), ("reason", label.reason)]
            ).increment(by: n)
            if let resolution = label.resolution {
                resolutions(resolution, label.outcome).increment(by: n)
            }
        }
        for outcome in outcomes {
            guard case let .applied(outputs) = outcome else { continue }
            for case let released? in outputs.map({ $0.label?.released }) { releasedMicros += released.value }
        }
        // Dollars, for dashboards and alerts: the exact amounts are in the verdicts and in PostgreSQL.
        if releasedMicros > 0 { WorkerMetrics.released.increment(by: Double(releasedMicros) / 1_000_000) }
        for (error, n) in deadLetters {
            Counter(label: "livegate_dead_letters_total", dimensions: [("error", error)]).increment(by: n)
        }
        if repeated > 0 { republished.increment(by: repeated) }
        let refused = outcomes.count { if case .refused = $0 { true } else { false } }
        if refused > 0 { isolatedRecords.increment(by: refused) }
    }

    /// Records between the consumer's position in each partition (the next record it will read, not the
    /// committed offset) and the partition's end, as the consumer last saw them; a partition handed away
    /// reads 0 here (its new owner reports it).
    static func lag(_ consumer: KafkaConsumer, handedAway: Set<TopicPartition>) {
        for (tp, records) in consumer.lag() { gauge(tp).record(records) }
        for tp in handedAway { gauge(tp).record(0) }
    }

    private static func gauge(_ tp: TopicPartition) -> Gauge {
        Gauge(
            label: "livegate_consumer_lag_records",
            dimensions: [("topic", tp.topic), ("partition", String(tp.partition))])
    }

    /// Set once at start: the version and what the worker checks: signed decisions, signed resolutions, and
    /// whether it trusts producer timestamps.
    static func buildInfo(version: String, rules: Rules) {
        Gauge(
            label: "livegate_build_info",
            dimensions: [
                ("version", version), ("signed_decisions", String(rules.decisionKeys != nil)),
                ("signed_resolutions", String(rules.resolutionKeys != nil)),
                ("broker_time", String(!rules.allowProducerTime)),
            ]
        ).record(1)
    }
}
