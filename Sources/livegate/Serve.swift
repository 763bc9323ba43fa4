import ArgumentParser
import Foundation
import HTTPCommon
import LiveGateHTTP
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the production-status API over HTTP, read from PostgreSQL (docs/openapi.yaml).",
        discussion: """
            GET /v1/tenants/{tenant_id}/production-status (and GET /v1/tenants/production-status for a token's own \
            tenant), GET /v1/review-queue (admin:read: pending declarations, oldest first, with due_at under \
            --review-sla-days and --holidays), /healthz, /readyz (PostgreSQL answers) and /metrics. With --brokers \
            (or LIVEGATE_BROKERS) also the one-call verdict path: POST /v1/transaction-attempts and /v1/transaction-resolutions publish the body \
            and wait (?wait_ms, default 2000, at most 10000) for its verdict; GET \
            /v1/tenants/{tenant_id}/transaction-attempts/{event_id} (or .../transaction-resolutions/...) returns a \
            stored one.

            Tokens guard every route but /healthz, /readyz and /metrics: each line of --api-token-file is \
            `token scope[,scope...] [tenant=ID]`, scopes status:read, attempts:write, resolutions:write, \
            admin:read; 401 without a known token, 403 (missing_scope, \
            tenant_scope) past its grant. SIGHUP reads the file again; a file that does not parse keeps the tokens \
            in force. Without a token file serve listens only on a loopback address, unless --allow-anonymous.

            Bounds: connections (--max-connections; more wait in the listen backlog), a body's time \
            (--body-timeout-ms, then the connection is closed), body bytes held at once (--max-body-bytes-in-flight, \
            503 past it), waiting calls (--max-waiting), status reads in flight (--max-in-flight). At start serve \
            raises its open-file limit to the hard limit and warns when that cannot hold --max-connections. \
            Memory follows --max-connections: a connection costs about 30 KiB resident, so the default 5000 and \
            32 MiB of bodies stay under 256 MiB; raise both together. /metrics also has \
            livegate_release_heavy_tenants and livegate_review_queue_pending, _overdue and \
            _oldest_age_seconds, refreshed every 30 s.

            Stateless: run as many as you like behind a load balancer. SIGTERM or SIGINT stops it gracefully. \
            Exit 64 when a token file does not parse or serve would be open to the network without tokens; \
            exit 2 when it cannot listen.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var kafka: BrokerOptions

    /// Default 127.0.0.1:8080: loopback, so that nothing is open to the network by default.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Address to listen on (env: LIVEGATE_LISTEN; default 127.0.0.1:8080).", valueName: "host:port"))
    var listen: String?

    @Option(
        name: .customLong("api-token-file"),
        help: ArgumentHelp(
            "File of bearer tokens, one per line: token scopes [tenant=ID]; they guard every route but the probes and "
                + "/metrics (env: LIVEGATE_API_TOKEN_FILE; default none: loopback only).", valueName: "path"))
    var apiTokenFile: String?

    @Flag(
        name: .customLong("allow-anonymous"),
        help: """
            Serve without tokens on a non-loopback address (env: LIVEGATE_ALLOW_ANONYMOUS=true; default off); logged at \
            warning level.
            """)
    var allowAnonymous = false

    /// Default 10000.
    @Option(
        name: .customLong("max-waiting"),
        help: ArgumentHelp(
            "Requests waiting for a verdict at once; more get 503: " + Serve.maxWaitingSetting.help, valueName: "n"))
    var maxWaiting: Int?

    /// Default 10000 ms.
    @Option(
        name: .customLong("max-wait-ms"),
        help: ArgumentHelp(
            "The longest wait granted for a verdict; a larger wait_ms is cut to it: " + Serve.maxWaitSetting.help,
            valueName: "ms"))
    var maxWaitMillis: Int?

    /// Default 256.
    @Option(
        name: .customLong("max-in-flight"),
        help: ArgumentHelp(
            "Status and stored-verdict reads answered at once; more get 503: " + Serve.maxInFlightSetting.help,
            valueName: "n"))
    var maxInFlight: Int?

    /// Default 4.
    @Option(
        name: .customLong("db-connections"),
        help: ArgumentHelp(
            "PostgreSQL connections: " + Serve.databaseConnectionsSetting.help, valueName: "n"))
    var databaseConnections: Int?

    /// Default 2000 ms.
    @Option(
        name: .customLong("request-timeout-ms"),
        help: ArgumentHelp(
            "Longest time to answer a status read: " + Serve.requestTimeoutSetting.help, valueName: "ms"))
    var requestTimeoutMillis: Int?

    /// Default 5000.
    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp(
            "Open connections; more wait in the listen backlog: " + Serve.maxConnectionsSetting.help, valueName: "n"))
    var maxConnections: Int?

    /// Default 5000 ms.
    @Option(
        name: .customLong("body-timeout-ms"),
        help: ArgumentHelp(
            "Longest time from a request's head to the end of its body; a slower connection is closed: "
                + Serve.bodyTimeoutSetting.help, valueName: "ms"))
    var bodyTimeoutMillis: Int?

    /// Default 32 MiB.
    @Option(
        name: .customLong("max-body-bytes-in-flight"),
        help: ArgumentHelp(
            "Request body bytes held at once, reserved before a body is read (Content-Length, else 1 MiB); past it "
                + "503: " + Serve.bodyBytesSetting.help, valueName: "bytes"))
    var maxBodyBytesInFlight: Int?

    @OptionGroup var review: ReviewQueueOptions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let listen, parseListenAddress(listen) == nil {
            throw ValidationError("--listen must be HOST:PORT, e.g. 0.0.0.0:8080.")
        }
        try checkBounds()
    }

    /// Where to listen: given, else `LIVEGATE_LISTEN` (refused when it is not HOST:PORT), else 127.0.0.1:8080.
    func listenAddress() throws -> (host: String, port: Int) {
        if let listen, let address = parseListenAddress(listen) { return address }
        guard let text = Env.get("LIVEGATE_LISTEN") else { return ("127.0.0.1", 8080) }
        guard let address = parseListenAddress(text) else {
            throw CommandFailure.usage(
                "LIVEGATE_LISTEN must be HOST:PORT, e.g. 0.0.0.0:8080, not \"\(text.prefix(64))\".")
        }
        return address
    }

    func run() async throws {
        let logger = try logging.logger(label: "livegate.serve")
        let address = try listenAddress()
        let credentials = try self.credentials(listeningOn: address.host, logger: logger)
        let bounds = try bounds()
        // A holidays file with a bad line stops serve here (exit 64), before anything listens.
        let reviewQueue = try review.settings()
        Self.raiseDescriptorLimit(for: bounds.limits.maxConnections, logger: logger)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var verdicts: VerdictPath?, publisher: Publisher?, feed: VerdictFeed?
        if kafka.given {
            let brokers = try kafka.servers(), settings = try kafka.settings()
            let waiters = VerdictWaiters(capacity: bounds.maxWaiting)
            let reader = try VerdictFeed(brokers: brokers, settings: settings, waiters: waiters, logger: logger)
            let sender = try Publisher(
                brokers: brokers, settings: settings, queueLimit: bounds.maxWaiting, logger: logger)
            (feed, publisher) = (reader, sender)
            verdicts = VerdictPath(
                waiters: waiters, publisher: sender, feed: reader, longestWaitMillis: bounds.maxWaitMillis)
        }
        defer {
            publisher?.stop()
            feed?.stop()
        }
        let (app, pool) = StatusServer(
            databaseURL: try database.url(), credentials: credentials, limits: bounds.limits,
            verdicts: verdicts, reviewQueue: reviewQueue
        )
        .application(host: address.host, port: address.port, registry: registry, logger: logger)
        defer { pool.shutdown() }
        credentials.reloadOnHangup(logger: logger)
        logger.info(
            "serving the production-status API",
            metadata: [
                "address": "\(address.host):\(address.port)",
                "tokens": "\(credentials.required ? "required" : "none (open)")",
                "verdict_path": "\(verdicts == nil ? "off (no --brokers)" : "on")",
                "max_connections": "\(bounds.limits.maxConnections)",
                "body_timeout_ms": "\(Int(bounds.limits.bodyTimeout / .milliseconds(1)))",
            ])
        let watch = ReleaseWatcher(pool: pool, logger: logger)
        let queueWatch = ReviewQueueWatcher(pool: pool, settings: reviewQueue, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [app, ReleaseWatchService(watcher: watch), ReviewQueueWatchService(watcher: queueWatch)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The token file's tokens, or none: only on a loopback address, or with --allow-anonymous (said at warning
    /// level at every start). A token file that does not parse stops serve here, with the line's number.
    func credentials(listeningOn host: String, logger: Logger) throws -> Credentials {
        if let path = try apiTokenFile ?? Env.secret("LIVEGATE_API_TOKEN_FILE") {
            do { return try Credentials(file: path) } catch { throw CommandFailure.usage(error.description) }
        }
        let anonymous = try allowAnonymous || Env.flag("LIVEGATE_ALLOW_ANONYMOUS") == true
        guard isLoopback(host) || anonymous else {
            throw CommandFailure.usage(
                """
                serve would answer anyone on \(host) without tokens: give --api-token-file (LIVEGATE_API_TOKEN_FILE), \
                listen on a loopback address, or start with --allow-anonymous (LIVEGATE_ALLOW_ANONYMOUS=1).
                """)
        }
        if anonymous {
            logger.warning(
                "serving WITHOUT tokens (--allow-anonymous): every caller may read every tenant and post for any",
                metadata: ["address": "\(host)"])
        }
        return .open
    }

    /// Raises the open-file limit so that --max-connections can be reached, and says when it cannot.
    static func raiseDescriptorLimit(for connections: Int, logger: Logger) {
        guard let limit = DescriptorLimit.raise() else {
            return logger.warning("cannot read the open-file limit; --max-connections may not be reachable")
        }
        if limit.soft < connections + DescriptorLimit.reserve {
            logger.warning(
                "the open-file limit cannot hold --max-connections; connections past it are refused by the system",
                metadata: [
                    "soft_limit": "\(limit.soft)", "hard_limit": "\(limit.hard)",
                    "max_connections": "\(connections)", "reachable": "\(max(0, limit.soft - DescriptorLimit.reserve))",
                ])
        }
    }
}

/// Whether `host` is a loopback address: 127.0.0.0/8, ::1 or localhost.
func isLoopback(_ host: String) -> Bool {
    if host.lowercased() == "localhost" { return true }
    var v4 = in_addr(), v6 = in6_addr()
    if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
    if inet_pton(AF_INET6, host, &v6) == 1 { return v6 == in6addr_loopback }
    return false
}

private func == (a: in6_addr, b: in6_addr) -> Bool {
    withUnsafeBytes(of: a) { a in withUnsafeBytes(of: b) { b in a.elementsEqual(b) } }
}

/// The release watch as one of serve's services: stopped with the server.
struct ReleaseWatchService: Service {
    let watcher: ReleaseWatcher
    func run() async throws { await cancelWhenGracefulShutdown { await watcher.run() } }
}

struct ReviewQueueWatchService: Service {
    let watcher: ReviewQueueWatcher
    func run() async throws { await cancelWhenGracefulShutdown { await watcher.run() } }
}
