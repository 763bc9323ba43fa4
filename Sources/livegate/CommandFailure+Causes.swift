import ArgumentParser
import Kafka
import LiveGateLocal
import LiveGateOps
import LiveGatePipeline
import LiveGateStore
import Postgres

extension CommandFailure {
    /// What `error` means for whoever ran the command, in one line, with the exit status its kind calls for:
    /// PostgreSQL or Kafka not answering is a runtime failure (2), live workers in the way a refusal (1), a
    /// partition or topic that does not exist a usage mistake (64). `kafka` names the brokers the command used,
    /// so that "cannot reach Kafka" says where.
    init(_ error: any Error, kafka servers: String? = nil) {
        switch error {
        case let failure as CommandFailure: self = failure
        case let error as ValidationError: self = .usage(error.message)
        case let error as KafkaError: self = Self.kafka(error, at: servers)
        case let error as StoreError:
            self = .runtime(Self.postgres(error.description, sqlState: error.underlying?.sqlState))
        case let error as PostgresError: self = .runtime(Self.postgres(error.description, sqlState: error.sqlState))
        case let error as Replayer.Failure: self = Self.replay(error)
        case let error as OffsetResetPlan.Failure: self = Self.reset(error)
        case let error as LocalPostgres.Failure: self = .runtime("the private PostgreSQL: \(error.description)")
        default: self = .runtime(String(describing: error))
        }
    }

    /// A Kafka failure: "cannot reach Kafka at HOST:PORT: …" when no broker answered, a refused `--kafka-config`
    /// property as a usage mistake, anything else with the brokers named.
    static func kafka(_ error: KafkaError, at servers: String?) -> CommandFailure {
        let place = servers.map { " at \($0)" } ?? ""
        if error.isPassing { return .runtime("cannot reach Kafka\(place): \(error.plainMessage)") }
        // librdkafka refused a property of --kafka-config (or LIVEGATE_KAFKA_CONFIG) by name.
        if error.name == "_INVALID_ARG", error.message.hasPrefix("Kafka property") {
            return .usage("--kafka-config: \(error.message)")
        }
        return .runtime("Kafka\(place): \(error.plainMessage)")
    }

    /// PostgreSQL's own line, with what to do when the schema is missing (42P01: no such table).
    static func postgres(_ description: String, sqlState: String?) -> String {
        sqlState == "42P01" ? description + " (has `livegate migrate` run on this database?)" : description
    }

    static func replay(_ error: Replayer.Failure) -> CommandFailure {
        switch error {
        case .groupActive: .refused(error.description)
        case .notAnInputTopic: .usage(error.description)
        case .stalled: .runtime(error.description)
        }
    }

    static func reset(_ error: OffsetResetPlan.Failure) -> CommandFailure {
        switch error {
        case .groupActive, .otherMembers: .refused(error.description)
        case .noSuchPartition: .usage(error.description)
        case .notAMember, .notCommitted: .runtime(error.description)
        }
    }
}
