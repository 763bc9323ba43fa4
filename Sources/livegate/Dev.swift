import ArgumentParser
import Dispatch
import Foundation
import Kafka
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateStore
import Postgres
import Redaction

struct Dev: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run LiveGate locally: an embedded Kafka-protocol broker and a private PostgreSQL unless "
            + "LIVEGATE_BROKERS / LIVEGATE_DATABASE_URL name real ones, the schema, the topics and a worker.",
        discussion: "Prints the bootstrap address and the database URL for kcat and psql. Ctrl-C stops it.")

    @Option(name: .long, help: "Kafka bootstrap servers (env: LIVEGATE_BROKERS). Default: start an embedded broker.")
    var brokers: String?

    @Option(name: .long, help: "PostgreSQL URL (env: LIVEGATE_DATABASE_URL). Default: start a private PostgreSQL.")
    var databaseURL: String?

    @Flag(help: "Publish a short story and print each verdict and notification as it happens.")
    var demo = false

    @Flag(name: .customLong("exit-after-demo"), help: "Stop once the demo has run (for scripts).")
    var exitAfterDemo = false

    @Flag(name: .customLong("sign-decisions"), help: ArgumentHelp(
        "Require signed decisions: make a throwaway admin key, give the worker its key set, and sign the demo's "
            + "decisions with it."))
    var signDecisions = false

    func run() throws {
        var embedded: EmbeddedBroker?
        let servers: String
        if let given = brokers ?? Env.get("LIVEGATE_BROKERS") {
            servers = given
        } else {
            let broker = try EmbeddedBroker(brokers: 3)
            for topic in TopicCatalog.all {
                try broker.createTopic(topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor)
            }
            embedded = broker
            servers = broker.bootstrapServers
        }
        let url = try (databaseURL ?? Env.get("LIVEGATE_DATABASE_URL")).map(DatabaseOptions.checked)
            ?? LocalPostgres.fromEnvironment().start()
        try Migrations.apply(on: try PostgresConnection(url: url))
        let quick = KafkaSettings([("session.timeout.ms", "4000"), ("heartbeat.interval.ms", "500")])
        let signing = signDecisions ? try DevSigningKey.make() : nil
        defer { signing?.remove() }
        var rules = Rules.standard
        rules.decisionKeys = signing?.keySet
        let worker = Worker(configuration: WorkerConfiguration(brokers: servers, databaseURL: url, group: "livegate-dev",
                                                               kafka: quick, rules: rules),
                            logger: makeLogger(label: "livegate.dev", level: "warning")).start()
        print("""
            LiveGate is running.
              Kafka bootstrap  \(servers)\(embedded == nil ? "" : "  (embedded broker, 3 nodes)")
              PostgreSQL       \(Redaction.redact(url))
            Publish an attempt:  kcat -P -b \(servers) -X partitioner=murmur2_random -t \(Topics.transactionAttempt) -k t-1
            Watch verdicts:      kcat -C -b \(servers) -t \(Topics.transactionVerdict)
            Inspect a tenant:    livegate status t-1 --database-url '\(Redaction.redact(url))'
            """)
        if let signing {
            print("""
                Decisions must be signed (key set \(signing.keySetPath)). Decide as the admin:
                                     livegate decide set-ceiling t-1 --daily 300 --key \(signing.keyPath) --kid \(signing.key.kid) --brokers \(servers)
                """)
        }
        if demo {
            try DemoRunner(brokers: servers, signer: signing?.key)
                .run(tenant: "demo-" + String(UUID().uuidString.prefix(8)).lowercased())
        }
        if !(demo && exitAfterDemo) {
            print("Ctrl-C to stop.")
            waitForSignal()
        }
        try worker.stop()
        withExtendedLifetime(embedded) {}
    }

    private func waitForSignal() {
        let done = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        sources.forEach { $0.cancel() }
    }
}

/// The throwaway admin key of `livegate dev --sign-decisions`, with its files in a fresh folder.
struct DevSigningKey {
    let key: DecisionSigningKey
    let keySet: DecisionKeySet
    let keyPath: String
    let keySetPath: String

    static func make() throws -> DevSigningKey {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("livegate-dev-keys-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        let key = DecisionSigningKey(kid: "dev-admin")
        let keyPath = folder.appendingPathComponent("dev-admin.key").path
        let keySetPath = folder.appendingPathComponent("keys.json").path
        try PrivateFile.create(keyPath, contents: JSONWriter.bytes(key.fileJSON))
        try PrivateFile.create(keySetPath, contents: JSONWriter.bytes(DecisionSigningKey.keySetJSON([key])))
        return DevSigningKey(key: key, keySet: DecisionKeySet(keys: [key.kid: key.key.publicKey]), keyPath: keyPath, keySetPath: keySetPath)
    }

    /// The key dies with the run it was made for.
    func remove() { try? FileManager.default.removeItem(atPath: (keyPath as NSString).deletingLastPathComponent) }
}
