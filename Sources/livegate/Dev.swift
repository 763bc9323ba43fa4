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
        discussion: """
            Prints the bootstrap address and the database URL for kcat and psql. Ctrl-C stops it. Without \
            --brokers (LIVEGATE_BROKERS) it starts an embedded broker, without --database-url \
            (LIVEGATE_DATABASE_URL) the private PostgreSQL. Exit 2 when a given PostgreSQL cannot be reached.
            """)

    /// Without brokers, dev starts an embedded broker; without a database URL, a private PostgreSQL.
    @OptionGroup var broker: BrokerOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(help: "Publish a short story and print each verdict and notification as it happens.")
    var demo = false

    @Flag(name: .customLong("exit-after-demo"), help: "Stop once the demo has run (for scripts).")
    var exitAfterDemo = false

    /// Run the worker without key sets, trusting unsigned decisions and resolutions. Default off: dev signs.
    @Flag(
        help: ArgumentHelp(
            "Run without signatures, as `livegate run --allow-unsigned-decisions --allow-unsigned-resolutions`: "
                + "anyone who can write the topics decides and releases headroom. Default: throwaway keys sign the "
                + "demo's decisions and its failed resolution, and its forged ones are refused."))
    var unsigned = false

    /// Signing is the default since v1.2; the flag stays accepted so that older scripts keep working.
    @Flag(name: .customLong("sign-decisions"), help: .hidden)
    var signDecisions = false

    func validate() throws {
        if unsigned, signDecisions { throw ValidationError("--unsigned and --sign-decisions contradict each other.") }
    }

    func run() throws {
        var embedded: EmbeddedBroker?
        let servers: String
        if broker.given {
            servers = try broker.servers()
        } else {
            let broker = try EmbeddedBroker(brokers: 3)
            for topic in TopicCatalog.all {
                try broker.createTopic(
                    topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor)
            }
            embedded = broker
            servers = broker.bootstrapServers
        }
        let url = try database.optionalURL() ?? LocalPostgres.fromEnvironment().start()
        try Migrations.apply(on: try PostgresConnection(url: url))
        let quick = KafkaSettings([("session.timeout.ms", "4000"), ("heartbeat.interval.ms", "500")])
            .merging(try broker.settings())
        let keys = unsigned ? nil : try DevKeys.make()
        defer { keys?.remove() }
        var rules = try keys?.rules(.standard) ?? .standard
        // The embedded broker keeps producer timestamps whatever the topic says; real brokers stamp their own.
        rules.allowProducerTime = embedded != nil
        let logger = try logging.logger(label: "livegate.dev", default: .warning)
        // What run says for its allowances, dev says for its own (contract v1.2: at warning level, every start).
        if unsigned { logger.warning("decisions are trusted unsigned, as are failed resolutions (--unsigned)") }
        if rules.allowProducerTime {
            logger.warning(
                "inputs the broker did not stamp are decided by their producer's clock (the embedded broker keeps producer timestamps)"
            )
        }
        let worker = Worker(
            configuration: WorkerConfiguration(
                brokers: servers, databaseURL: url, group: "livegate-dev",
                kafka: quick, rules: rules),
            logger: logger
        ).start()
        print(DevBanner(servers: servers, embedded: embedded != nil, databaseURL: url, keys: keys).text)
        if demo {
            try DemoRunner(brokers: servers, admin: keys?.admin, settlement: keys?.settlement, databaseURL: url)
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
