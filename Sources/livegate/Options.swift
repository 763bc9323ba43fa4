import ArgumentParser
import Kafka
import LiveGatePipeline
import Postgres
import Synchronization

/// Where the database is, for every command that uses one. Required by most; `offsets reset` uses it when
/// given, `dev` and `bench` start a private server without it.
struct DatabaseOptions: ParsableArguments {
    /// The libpq URL. No default.
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL, e.g. postgresql://user@127.0.0.1:5432/livegate (env: LIVEGATE_DATABASE_URL; no default).",
            valueName: "url"))
    var databaseURL: String?

    func validate() throws {
        if let databaseURL { _ = try usage { try Self.checked(databaseURL, from: "--database-url") } }
    }

    /// The URL given or in `LIVEGATE_DATABASE_URL`, checked, or nil when neither is.
    func optionalURL() throws -> String? {
        if let databaseURL { return try Self.checked(databaseURL, from: "--database-url") }
        return try Env.get("LIVEGATE_DATABASE_URL").map { try Self.checked($0, from: "LIVEGATE_DATABASE_URL") }
    }

    /// The URL, checked (a form libpq would misread is refused) and its password registered for redaction.
    func url() throws -> String {
        guard let url = try optionalURL() else {
            throw CommandFailure.usage("Give --database-url or set LIVEGATE_DATABASE_URL.")
        }
        return url
    }

    /// `url` if libpq reads it as meant; the refusal names where it came from and quotes nothing of it.
    static func checked(_ url: String, from source: String) throws -> String {
        do { try ConnectionString.check(url) } catch {
            throw CommandFailure.usage("\(source): \(error.message)")
        }
        return url
    }
}

/// Where Kafka is, and the librdkafka properties every client of the command gets.
struct BrokerOptions: ParsableArguments {
    /// Bootstrap servers. No default (`dev` starts an embedded broker without it; `serve` then has no
    /// verdict path).
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (env: LIVEGATE_BROKERS; no default).", valueName: "brokers"
        ))
    var brokers: String?

    /// librdkafka properties on top of LiveGate's defaults. Default none.
    @Option(
        name: .customLong("kafka-config"),
        help: ArgumentHelp(
            "A librdkafka property key=value, repeatable, e.g. security.protocol=SASL_SSL "
                + "(env: LIVEGATE_KAFKA_CONFIG, entries separated by commas or newlines; default none).",
            valueName: "key=value"))
    var kafkaConfig: [String] = []

    func validate() throws {
        _ = try usage { try Self.checked(kafkaConfig, from: "--kafka-config") }
    }

    /// Whether brokers were given, on the command line or in the environment.
    var given: Bool { brokers != nil || Env.get("LIVEGATE_BROKERS") != nil }

    func servers() throws -> String {
        guard let brokers = brokers ?? Env.get("LIVEGATE_BROKERS") else {
            throw CommandFailure.usage("Give --brokers or set LIVEGATE_BROKERS.")
        }
        BrokerOptions.lastServers.withLock { $0 = brokers }
        return brokers
    }

    /// The brokers the command last resolved, so that a Kafka failure reaching `LiveGate.main` from a command
    /// that did not go through `reaching` (run, serve, replay, dev) still says where Kafka was.
    static let lastServers = Mutex<String?>(nil)

    /// The librdkafka properties given (the variable's first, then the options), refused when one would switch
    /// off a guarantee (`KafkaGuarantees`).
    func settings() throws -> KafkaSettings {
        let fromEnvironment = KafkaSettings.entries(Env.get("LIVEGATE_KAFKA_CONFIG") ?? "")
        _ = try Self.checked(fromEnvironment, from: "LIVEGATE_KAFKA_CONFIG")
        return try Self.checked(fromEnvironment + kafkaConfig, from: "--kafka-config")
    }

    /// `settings()` for a command that runs once (`topics apply`, `lag`, `decide`…): librdkafka's own log
    /// lines (a broker that refuses connections is reported each second) are kept to critical ones, since the
    /// command says in one line what failed; `--kafka-config log_level=7` (or `debug=…`) brings them back.
    func quietSettings() throws -> KafkaSettings {
        KafkaSettings([("log_level", "2")]).merging(try settings())
    }

    /// Runs `body` with the servers and the quiet settings; a Kafka failure in it is said naming the servers.
    func reaching<T>(_ body: (_ servers: String, _ settings: KafkaSettings) throws -> T) throws -> T {
        let servers = try servers()
        let settings = try quietSettings()
        do { return try body(servers, settings) } catch let error as KafkaError {
            throw CommandFailure(error, kafka: servers)
        }
    }

    static func checked(_ entries: [String], from source: String) throws -> KafkaSettings {
        let settings: KafkaSettings
        do { settings = try KafkaSettings.parse(entries) } catch {
            throw CommandFailure.usage("\(source): \(error.message).")
        }
        let problems = KafkaGuarantees.violations(settings)
        guard problems.isEmpty else {
            throw CommandFailure.usage("Refused \(source): " + problems.joined(separator: "; "))
        }
        return settings
    }
}

/// The workers' consumer group, shared by the commands that run workers or must respect them.
struct GroupOptions: ParsableArguments {
    /// Default `livegate`.
    @Option(help: "Consumer group of the live workers (env: LIVEGATE_GROUP; default livegate).")
    var group: String?

    var name: String { group ?? Env.get("LIVEGATE_GROUP") ?? "livegate" }
}

/// `body`, a refusal in it thrown as ArgumentParser's `ValidationError`: what `validate()` throws must be one
/// (anything else ArgumentParser reports with exit 1).
func usage<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let failure as CommandFailure { throw ValidationError(failure.message) }
}
