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
            Start as many workers as you like with the same --group; Kafka spreads the partitions over them.
            SIGTERM or SIGINT finishes the batch in flight, commits it, leaves the group and exits 0.
            It refuses to start (exit 64) without --decision-keys unless given --allow-unsigned-decisions, and \
            without --resolution-keys unless given --allow-unsigned-resolutions; each allowance, and \
            --allow-producer-time, is logged at warning level at every start.
            """)

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var database: DatabaseOptions

    @OptionGroup var group: GroupOptions

    @OptionGroup var trust: TrustOptions

    @Option(name: .customLong("instance-id"), help: ArgumentHelp(
        "Static group membership id (group.instance.id) of this worker (env: LIVEGATE_INSTANCE_ID).",
        valueName: "id"))
    var instanceId: String?

    @Option(name: .customLong("lanes"), help: "Lanes of this worker, 1–64: each a consumer in the group with its own PostgreSQL connection (env: LIVEGATE_LANES; default 3).")
    var lanes: Int?

    @Option(name: .customLong("batch-max"), help: "Most records applied in one transaction, 1–100000 (env: LIVEGATE_BATCH_MAX; default 500).")
    var batchMax: Int?

    @Option(name: .customLong("batch-wait-ms"), help: "Longest wait for the first record of a batch, 0–60000 ms (env: LIVEGATE_BATCH_WAIT_MS; default 100).")
    var batchWaitMillis: Int?

    @Option(name: .customLong("http"), help: ArgumentHelp(
        "Serve /metrics, /healthz and /readyz on HOST:PORT, e.g. 0.0.0.0:9464 (env: LIVEGATE_HTTP).", valueName: "host:port"))
    var http: String?

    @Option(name: .customLong("log-format"), help: "text or json: one JSON object per line (env: LIVEGATE_LOG_FORMAT; default text).")
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env: LIVEGATE_LOG_LEVEL; default info).")
    var logLevel: String?

    var resolvedLanes: Int { lanes ?? Env.get("LIVEGATE_LANES").flatMap(Int.init) ?? WorkerConfiguration.defaultLanes }
    var resolvedBatchMax: Int { batchMax ?? Env.get("LIVEGATE_BATCH_MAX").flatMap(Int.init) ?? WorkerConfiguration.defaultBatchRecords }
    var resolvedBatchWait: Int { batchWaitMillis ?? Env.get("LIVEGATE_BATCH_WAIT_MS").flatMap(Int.init) ?? 100 }
    var resolvedLogLevel: String { logLevel ?? Env.get("LIVEGATE_LOG_LEVEL") ?? "info" }
    var resolvedHTTP: String? { http ?? Env.get("LIVEGATE_HTTP") }

    func validate() throws {
        try WorkerConfiguration.validate(lanes: resolvedLanes, batchMax: resolvedBatchMax)
        guard (0...60_000).contains(resolvedBatchWait) else { throw ValidationError("--batch-wait-ms must be 0 to 60000.") }
        if let format = logFormat ?? Env.get("LIVEGATE_LOG_FORMAT"), !["text", "json"].contains(format) {
            throw ValidationError("--log-format must be text or json.")
        }
        if let resolvedHTTP, parseListenAddress(resolvedHTTP) == nil {
            throw ValidationError("--http must be HOST:PORT, e.g. 0.0.0.0:9464.")
        }
        guard Logger.Level(rawValue: resolvedLogLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
    }

    func run() async throws {
        let logger = makeLogger(label: "livegate.worker", level: resolvedLogLevel)
        let configuration = WorkerConfiguration(
            brokers: try broker.servers(), databaseURL: try database.url(),
            group: group.name,
            instanceId: instanceId ?? Env.get("LIVEGATE_INSTANCE_ID"), kafka: try broker.settings(),
            lanes: resolvedLanes, maxBatchRecords: resolvedBatchMax, maxBatchWaitMillis: resolvedBatchWait,
            rules: try trust.rules(logger: logger))
        try SchemaCheck.refuseMismatch(url: configuration.databaseURL, logger: logger)
        let worker = Worker(configuration: configuration, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                  failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let address = resolvedHTTP.flatMap(parseListenAddress) {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            services.append(.init(service: WorkerEndpoints.application(
                host: address.host, port: address.port, health: worker.health, registry: registry,
                logger: makeLogger(label: "livegate.http", level: "warning"))))
            logger.info("serving /metrics, /healthz and /readyz", metadata: ["address": "\(address.host):\(address.port)"])
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }
}

func makeLogger(label: String, level: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}
