import ArgumentParser
import Kafka
import LiveGatePipeline
import Logging
import ServiceLifecycle

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a worker: consume the input topics, apply them in PostgreSQL, publish every output.",
        discussion: """
            Start as many workers as you like with the same --group; Kafka spreads the partitions over them.
            SIGTERM or SIGINT finishes the batch in flight, commits it, leaves the group and exits 0.
            """)

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var database: DatabaseOptions

    @Option(help: "Consumer group of the workers (env: LIVEGATE_GROUP).")
    var group: String?

    @Option(name: .customLong("instance-id"), help: ArgumentHelp(
        "Static group membership id (group.instance.id) of this worker (env: LIVEGATE_INSTANCE_ID).",
        valueName: "id"))
    var instanceId: String?

    @Option(name: .customLong("batch-max"), help: "Most records applied in one transaction.")
    var batchMax = 500

    @Option(name: .customLong("batch-wait-ms"), help: "Longest wait for the first record of a batch, in ms.")
    var batchWaitMillis = 100

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func run() async throws {
        let logger = makeLogger(label: "livegate.worker", level: logLevel)
        let configuration = WorkerConfiguration(
            brokers: try broker.servers(), databaseURL: try database.url(),
            group: group ?? Env.get("LIVEGATE_GROUP") ?? "livegate",
            instanceId: instanceId ?? Env.get("LIVEGATE_INSTANCE_ID"), kafka: try broker.settings(),
            maxBatchRecords: batchMax, maxBatchWaitMillis: batchWaitMillis)
        let worker = Worker(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

func makeLogger(label: String, level: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}
