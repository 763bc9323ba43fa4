import Kafka

/// librdkafka properties that would quietly remove a guarantee LiveGate makes, and are therefore refused in
/// `--kafka-config` (and `LIVEGATE_KAFKA_CONFIG`) with a message saying which guarantee:
///
/// - offsets are committed by the worker, after the outputs are acknowledged, never automatically;
/// - a group without a committed position starts at the earliest record, and a lost one is reported;
/// - the producer is idempotent and waits for every in-sync replica;
/// - the consumer reads what the brokers acknowledged (the isolation level is LiveGate's choice);
/// - a batch has time to finish before the group gives up on its member: the batch deadline is 40% of
///   `max.poll.interval.ms` (at most 120 s), so that property has a floor.
public enum KafkaGuarantees {
    /// `max.in.flight.requests.per.connection` above this breaks the idempotent producer's ordering.
    public static let maxInFlight = 5
    /// The smallest `max.poll.interval.ms` accepted: a 2 s batch deadline, with 3 s to spare for the poll
    /// and the offset commit that follow it.
    public static let minMaxPollIntervalMillis = 5000

    /// One message per refused property; empty when `settings` keep every guarantee.
    public static func violations(_ settings: KafkaSettings) -> [String] {
        var problems: [String] = []
        for (key, value) in settings.properties {
            switch key {
            case "enable.auto.commit", "enable.auto.offset.store":
                problems.append("\(key) is LiveGate's: offsets are committed only after every output is acknowledged")
            case "auto.offset.reset":
                problems.append(
                    "auto.offset.reset is LiveGate's (earliest): a group must not skip inputs, and a lost position is reported"
                )
            case "enable.idempotence":
                problems.append("enable.idempotence is LiveGate's: the producer must not duplicate or reorder outputs")
            case "isolation.level":
                problems.append("isolation.level is LiveGate's")
            case "acks", "request.required.acks":
                if !["all", "-1"].contains(value) {
                    problems.append(
                        "\(key)=\(value) would acknowledge outputs before every in-sync replica has them; only all (-1) is allowed"
                    )
                }
            case "max.in.flight", "max.in.flight.requests.per.connection":
                if (Int(value) ?? Int.max) > maxInFlight {
                    problems.append("\(key)=\(value) is more than the idempotent producer allows (\(maxInFlight))")
                }
            case "max.poll.interval.ms":
                if (Int(value) ?? 0) < minMaxPollIntervalMillis {
                    problems.append(
                        "max.poll.interval.ms=\(value) leaves a batch no time: its deadline is 40% of it, "
                            + "and it must be at least \(minMaxPollIntervalMillis)")
                }
            default:
                continue
            }
        }
        return problems
    }
}
