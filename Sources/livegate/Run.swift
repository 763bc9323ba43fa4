import ArgumentParser
import HTTPCommon
import Kafka
import LiveGatePipeline
import LiveGateWorkerHTTP
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a worker: consume the input topics, apply them in PostgreSQL, publish every output.",
        discussion: """
            Start as many workers as you like with the same --group; Kafka spreads the partitions over them. \
            SIGTERM or SIGINT finishes the batch in flight, commits it, leaves the group and exits 0. PostgreSQL \
            or Kafka away, at start or later, is waited for, not an exit.

            Exit 64 at start without --decision-keys unless given --allow-unsigned-decisions, and without \
            --resolution-keys unless given --allow-unsigned-resolutions; each allowance, and --allow-producer-time, \
            is logged at warning level at every start. Exit 2 on a schema it was not built for (run livegate \
            migrate), and when a record breaks a store invariant: the worker stops, naming the record.
            """)

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var group: GroupOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var logging: LoggingOptions

    static let lanesSetting = IntegerSetting(
        option: "--lanes", variable: "LIVEGATE_LANES",
        range: WorkerConfiguration.laneRange,
        fallback: WorkerConfiguration.defaultLanes)
    static let batchMaxSetting = IntegerSetting(
        option: "--batch-max", variable: "LIVEGATE_BATCH_MAX",
        range: WorkerConfiguration.batchRecordRange,
        fallback: WorkerConfiguration.defaultBatchRecords)
    static let batchWaitSetting = IntegerSetting(
        option: "--batch-wait-ms", variable: "LIVEGATE_BATCH_WAIT_MS",
        range: 0...60_000, fallback: 100, unit: " ms")

    /// Static group membership. Default none (dynamic membership).
    @Option(
        name: .customLong("instance-id"),
        help: ArgumentHelp(
            "Static group membership id (group.instance.id) of this worker (env: LIVEGATE_INSTANCE_ID; default none).",
            valueName: "id"))
    var instanceId: String?

    /// Default 3.
    @Option(
        name: .customLong("lanes"),
        help: ArgumentHelp(
            "Lanes of this worker, each a consumer in the group with its own PostgreSQL connection: "
                + Run.lanesSetting.help,
            valueName: "n"))
    var lanes: Int?

    /// Default 500.
    @Option(
        name: .customLong("batch-max"),
        help: ArgumentHelp(
            "Most records applied in one transaction: " + Run.batchMaxSetting.help, valueName: "n"))
    var batchMax: Int?

    /// Default 100 ms.
    @Option(
        name: .customLong("batch-wait-ms"),
        help: ArgumentHelp(
            "Longest wait for the first record of a batch: " + Run.batchWaitSetting.help, valueName: "ms"))
    var batchWaitMillis: Int?

    /// For the bench: which stage of the worker a verdict's latency sits in.
    @Flag(
        name: .customLong("stage-stamps"),
        help: ArgumentHelp(
            "Put when each batch was polled, read, written, committed and handed to the producer on every "
                + "transaction verdict (header livegate-stages), for livegate bench.", visibility: .hidden))
    var stageStamps = false

    /// Default none: no HTTP endpoints.
    @Option(
        name: .customLong("http"),
        help: ArgumentHelp(
            "Serve /metrics, /healthz and /readyz on HOST:PORT, e.g. 0.0.0.0:9464 (env: LIVEGATE_HTTP; default none).",
            valueName: "host:port"))
    var http: String?

    func validate() throws {
        try Self.lanesSetting.check(lanes)
        try Self.batchMaxSetting.check(batchMax)
        try Self.batchWaitSetting.check(batchWaitMillis)
        if let http, parseListenAddress(http) == nil {
            throw ValidationError("--http must be HOST:PORT, e.g. 0.0.0.0:9464.")
        }
    }

    /// Where to serve the worker's endpoints, if anywhere.
    func httpAddress() throws -> (host: String, port: Int)? {
        guard let text = http ?? Env.get("LIVEGATE_HTTP") else { return nil }
        guard let address = parseListenAddress(text) else {
            throw CommandFailure.usage(
                "LIVEGATE_HTTP must be HOST:PORT, e.g. 0.0.0.0:9464, "
                    + "not \"\(text.prefix(64))\".")
        }
        return address
    }

    func run() async throws {
        let logger = try logging.logger(label: "livegate.worker")
        let address = try httpAddress()
        var configuration = WorkerConfiguration(
            brokers: try broker.servers(), databaseURL: try database.url(),
            group: group.name,
            instanceId: instanceId ?? Env.get("LIVEGATE_INSTANCE_ID"), kafka: try broker.settings(),
            lanes: try Self.lanesSetting.value(lanes), maxBatchRecords: try Self.batchMaxSetting.value(batchMax),
            maxBatchWaitMillis: try Self.batchWaitSetting.value(batchWaitMillis),
            rules: try trust.rules(logger: logger))
        configuration.stageStamps = stageStamps
        try SchemaCheck.refuseMismatch(url: configuration.databaseURL, logger: logger)
        let worker = Worker(configuration: configuration, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let address {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            services.append(
                .init(
                    service: WorkerEndpoints.application(
                        host: address.host, port: address.port, health: worker.health, registry: registry,
                        logger: Self.httpLogger)))
            logger.info(
                "serving /metrics, /healthz and /readyz", metadata: ["address": "\(address.host):\(address.port)"])
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

extension Run {
    /// The worker's HTTP server logs only what goes wrong.
    static var httpLogger: Logger {
        var logger = Logger(label: "livegate.http")
        logger.logLevel = .warning
        return logger
    }
}
