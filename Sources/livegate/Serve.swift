import ArgumentParser
import LiveGateHTTP
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the production-status API over HTTP, read from PostgreSQL (docs/openapi.yaml).",
        discussion: """
            GET /v1/tenants/{tenant_id}/production-status, /healthz, /readyz (PostgreSQL answers) and /metrics. \
            With --brokers (or LIVEGATE_BROKERS) also the one-call verdict path: POST /v1/transaction-attempts and \
            /v1/transaction-resolutions publish the body and wait (?wait_ms, default 2000, at most 10000) for its \
            verdict; GET /v1/transaction-attempts/{event_id} returns a stored one. Stateless: run as many as you \
            like behind a load balancer. SIGTERM or SIGINT stops it gracefully.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var kafka: BrokerOptions

    @Option(name: .customLong("max-waiting"), help: """
        Requests waiting for a verdict at once, 1–1000000; more get 503 (default 10000). Only with --brokers.
        """)
    var maxWaiting = 10_000

    @Option(name: .customLong("max-wait-ms"), help: """
        The longest wait granted for a verdict, 0–10000 ms; a larger wait_ms is cut to it (default 10000).
        """)
    var maxWaitMillis = 10_000

    @Option(name: .long, help: ArgumentHelp(
        "Address to listen on (env: LIVEGATE_LISTEN; default 127.0.0.1:8080).", valueName: "host:port"))
    var listen: String?

    @Option(name: .customLong("api-token-file"), help: ArgumentHelp(
        "File of bearer tokens, one per line; when given, the status endpoint answers 401 without one of them "
            + "(env: LIVEGATE_API_TOKEN_FILE).", valueName: "path"))
    var apiTokenFile: String?

    @Option(name: .customLong("max-in-flight"), help: "Requests answered at once, 1–100000; more get 503 (default 256).")
    var maxInFlight = 256

    @Option(name: .customLong("db-connections"), help: "PostgreSQL connections, 1–64 (default 4).")
    var databaseConnections = 4

    @Option(name: .customLong("request-timeout-ms"), help: "Longest time to answer a status request, 100–60000 ms (default 2000).")
    var requestTimeoutMillis = 2000

    @Option(name: .customLong("log-format"), help: "text or json: one JSON object per line (env: LIVEGATE_LOG_FORMAT; default text).")
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env: LIVEGATE_LOG_LEVEL; default info).")
    var logLevel: String?

    var resolvedListen: String { listen ?? Env.get("LIVEGATE_LISTEN") ?? "127.0.0.1:8080" }
    var resolvedLogLevel: String { logLevel ?? Env.get("LIVEGATE_LOG_LEVEL") ?? "info" }

    func validate() throws {
        guard parseListenAddress(resolvedListen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 0.0.0.0:8080.") }
        guard (1...100_000).contains(maxInFlight) else { throw ValidationError("--max-in-flight must be 1 to 100000.") }
        guard (1...64).contains(databaseConnections) else { throw ValidationError("--db-connections must be 1 to 64.") }
        guard (100...60_000).contains(requestTimeoutMillis) else { throw ValidationError("--request-timeout-ms must be 100 to 60000.") }
        guard (1...1_000_000).contains(maxWaiting) else { throw ValidationError("--max-waiting must be 1 to 1000000.") }
        guard (0...10_000).contains(maxWaitMillis) else { throw ValidationError("--max-wait-ms must be 0 to 10000.") }
        if let format = logFormat ?? Env.get("LIVEGATE_LOG_FORMAT"), !["text", "json"].contains(format) {
            throw ValidationError("--log-format must be text or json.")
        }
        guard Logger.Level(rawValue: resolvedLogLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
    }

    func run() async throws {
        let logger = makeLogger(label: "livegate.serve", level: resolvedLogLevel)
        var tokens: APITokens?
        if let path = apiTokenFile ?? Env.get("LIVEGATE_API_TOKEN_FILE") {
            do { tokens = try APITokens(file: path) } catch { throw ValidationError(error.description) }
        }
        var limits = StatusServer.Limits()
        limits.maxInFlight = maxInFlight
        limits.databaseConnections = databaseConnections
        limits.databaseQueue = max(16, maxInFlight / 4)
        limits.requestTimeout = .milliseconds(requestTimeoutMillis)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let address = parseListenAddress(resolvedListen)!  // checked by validate()
        var verdicts: VerdictPath?
        if kafka.brokers != nil || Env.get("LIVEGATE_BROKERS") != nil {
            let brokers = try kafka.servers(), settings = try kafka.settings()
            let waiters = VerdictWaiters(capacity: maxWaiting)
            let feed = try VerdictFeed(brokers: brokers, settings: settings, waiters: waiters, logger: logger)
            let publisher = try Publisher(brokers: brokers, settings: settings, queueLimit: maxWaiting, logger: logger)
            verdicts = VerdictPath(waiters: waiters, publisher: publisher, feed: feed, longestWaitMillis: maxWaitMillis)
        }
        defer {
            verdicts?.publisher.stop()
            verdicts?.feed.stop()
        }
        let (app, pool) = StatusServer(databaseURL: try database.url(), tokens: tokens, limits: limits, verdicts: verdicts)
            .application(host: address.host, port: address.port, registry: registry, logger: logger)
        defer { pool.shutdown() }
        logger.info("serving the production-status API", metadata: [
            "address": "\(address.host):\(address.port)", "tokens": "\(tokens == nil ? "none (open)" : "required")",
            "verdict_path": "\(verdicts == nil ? "off (no --brokers)" : "on")",
        ])
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }
}
