import ArgumentParser
import Foundation
import Kafka
import LiveGateCore
import Postgres
import LiveGatePipeline

/// Where the database is. Every option also reads an environment variable, so containers need no flags.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "PostgreSQL URL, e.g. postgresql://user@127.0.0.1:5432/livegate (env: LIVEGATE_DATABASE_URL).",
        valueName: "url"))
    var databaseURL: String?

    /// The URL, checked (a form libpq would misread is refused) and its password registered for redaction.
    func url() throws -> String {
        guard let url = databaseURL ?? Env.get("LIVEGATE_DATABASE_URL") else {
            throw ValidationError("Give --database-url or set LIVEGATE_DATABASE_URL.")
        }
        return try Self.checked(url)
    }

    static func checked(_ url: String) throws -> String {
        do { try ConnectionString.check(url) } catch { throw ValidationError(error.message) }
        return url
    }
}

struct BrokerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (env: LIVEGATE_BROKERS).", valueName: "brokers"))
    var brokers: String?

    @Option(name: .customLong("kafka-config"), help: ArgumentHelp(
        "A librdkafka property key=value, repeatable, e.g. security.protocol=SASL_SSL "
            + "(env: LIVEGATE_KAFKA_CONFIG, entries separated by commas or newlines).", valueName: "key=value"))
    var kafkaConfig: [String] = []

    func servers() throws -> String {
        guard let brokers = brokers ?? Env.get("LIVEGATE_BROKERS") else {
            throw ValidationError("Give --brokers or set LIVEGATE_BROKERS.")
        }
        return brokers
    }

    /// The librdkafka properties given, refused when one would switch off a guarantee (`KafkaGuarantees`).
    func settings() throws -> KafkaSettings {
        let settings = try KafkaSettings.parse(KafkaSettings.entries(Env.get("LIVEGATE_KAFKA_CONFIG") ?? "") + kafkaConfig)
        let problems = KafkaGuarantees.violations(settings)
        guard problems.isEmpty else {
            throw ValidationError("Refused --kafka-config:\n  " + problems.joined(separator: "\n  "))
        }
        return settings
    }
}

/// The workers' consumer group, shared by the commands that run workers or must respect them.
struct GroupOptions: ParsableArguments {
    @Option(help: "Consumer group of the live workers (env: LIVEGATE_GROUP; default livegate).")
    var group: String?

    var name: String { group ?? Env.get("LIVEGATE_GROUP") ?? "livegate" }
}

extension WorkerConfiguration {
    /// The bounds `livegate run` and `livegate bench` share for a worker's lanes and batch size.
    static func validate(lanes: Int, batchMax: Int) throws {
        guard laneRange.contains(lanes) else {
            throw ValidationError("--lanes must be \(laneRange.lowerBound) to \(laneRange.upperBound).")
        }
        guard batchRecordRange.contains(batchMax) else {
            throw ValidationError("--batch-max must be \(batchRecordRange.lowerBound) to \(batchRecordRange.upperBound).")
        }
    }
}
