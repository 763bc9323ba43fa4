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
            tenant), /healthz, /readyz (PostgreSQL answers) and /metrics. With --brokers (or LIVEGATE_BROKERS) also \
            the one-call verdict path: POST /v1/transaction-attempts and /v1/transaction-resolutions publish the body \
            and wait (?wait_ms, default 2000, at most 10000) for its verdict; GET \
            /v1/tenants/{tenant_id}/transaction-attempts/{event_id} (or .../transaction-resolutions/...) returns a \
            stored one.

            Tokens: each line of --api-token-file is `token scope[,scope...] [tenant=ID]`, scopes status:read, \
            attempts:write, resolutions:write, admin:read; 401 without a known token, 403 (missing_scope, \
            tenant_scope) past its grant. SIGHUP reads the file again; a file that does not parse keeps the tokens \
            in force. Without a token file serve listens only on a loopback address, unless --allow-anonymous.

            Bounds: connections (--max-connections; more wait in the listen backlog), a body's time \
            (--body-timeout-ms, then the connection is closed), body bytes held at once (--max-body-bytes-in-flight, \
            503 past it), waiting calls (--max-waiting), status reads in flight (--max-in-flight). At start serve \
            raises its open-file limit to the hard limit and warns when that cannot hold --max-connections. \
            Memory follows --max-connections: a connection costs about 30 KiB resident, so the default 5000 and \
            32 MiB of bodies stay under 256 MiB; raise both together. /metrics also has livegate_release_heavy_tenants, refreshed every 30 s.

            Stateless: run as many as you like behind a load balancer. SIGTERM or SIGINT stops it gracefully.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var kafka: BrokerOptions

    @Option(name: .long, help: ArgumentHelp(
        "Address to listen on (env: LIVEGATE_LISTEN; default 127.0.0.1:8080).", valueName: "host:port"))
    var listen: String?

    @Option(name: .customLong("api-token-file"), help: ArgumentHelp(
        "File of bearer tokens, one per line: token scopes [tenant=ID] (env: LIVEGATE_API_TOKEN_FILE).", valueName: "path"))
    var apiTokenFile: String?

    @Flag(name: .customLong("allow-anonymous"), help: """
        Serve without tokens on a non-loopback address (env: LIVEGATE_ALLOW_ANONYMOUS=true); logged at warning level.
        """)
    var allowAnonymous = false

    @Option(name: .customLong("max-waiting"), help: """
        Requests waiting for a verdict at once, 1–1000000; more get 503 (env: LIVEGATE_MAX_WAITING; default 10000).
        """)
    var maxWaiting: Int?

    @Option(name: .customLong("max-wait-ms"), help: """
        The longest wait granted for a verdict, 0–10000 ms; a larger wait_ms is cut to it (env: LIVEGATE_MAX_WAIT_MS; \
        default 10000).
        """)
    var maxWaitMillis: Int?

    @Option(name: .customLong("max-in-flight"), help: """
        Status and stored-verdict reads answered at once, 1–100000; more get 503 (env: LIVEGATE_MAX_IN_FLIGHT; default 256).
        """)
    var maxInFlight: Int?

    @Option(name: .customLong("db-connections"), help: "PostgreSQL connections, 1–64 (env: LIVEGATE_DB_CONNECTIONS; default 4).")
    var databaseConnections: Int?

    @Option(name: .customLong("request-timeout-ms"), help: """
        Longest time to answer a status read, 100–60000 ms (env: LIVEGATE_REQUEST_TIMEOUT_MS; default 2000).
        """)
    var requestTimeoutMillis: Int?

    @Option(name: .customLong("max-connections"), help: """
        Open connections, 16–1000000; more wait in the listen backlog (env: LIVEGATE_MAX_CONNECTIONS; default 5000).
        """)
    var maxConnections: Int?

    @Option(name: .customLong("body-timeout-ms"), help: """
        Longest time from a request's head to the end of its body, 100–600000 ms; a slower connection is closed \
        (env: LIVEGATE_BODY_TIMEOUT_MS; default 5000).
        """)
    var bodyTimeoutMillis: Int?

    @Option(name: .customLong("max-body-bytes-in-flight"), help: """
        Request body bytes held at once, reserved before a body is read (Content-Length, else 1 MiB), 1 MiB–4 GiB; \
        past it 503 (env: LIVEGATE_MAX_BODY_BYTES_IN_FLIGHT; default 33554432).
        """)
    var maxBodyBytesInFlight: Int?

    @Option(name: .customLong("log-format"), help: "text or json: one JSON object per line (env: LIVEGATE_LOG_FORMAT; default text).")
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env: LIVEGATE_LOG_LEVEL; default info).")
    var logLevel: String?

    var resolvedListen: String { listen ?? Env.get("LIVEGATE_LISTEN") ?? "127.0.0.1:8080" }
    var resolvedLogLevel: String { logLevel ?? Env.get("LIVEGATE_LOG_LEVEL") ?? "info" }

    func validate() throws {
        guard parseListenAddress(resolvedListen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 0.0.0.0:8080.") }
        _ = try bounds()
        if let format = logFormat ?? Env.get("LIVEGATE_LOG_FORMAT"), !["text", "json"].contains(format) {
            throw ValidationError("--log-format must be text or json.")
        }
        guard Logger.Level(rawValue: resolvedLogLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
    }

    func run() async throws {
        let logger = makeLogger(label: "livegate.serve", level: resolvedLogLevel)
        let address = parseListenAddress(resolvedListen)!  // checked by validate()
        let credentials = try self.credentials(listeningOn: address.host, logger: logger)
        let bounds = try bounds()
        Self.raiseDescriptorLimit(for: bounds.limits.maxConnections, logger: logger)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var verdicts: VerdictPath?, publisher: Publisher?, feed: VerdictFeed?
        if kafka.brokers != nil || Env.get("LIVEGATE_BROKERS") != nil {
            let brokers = try kafka.servers(), settings = try kafka.settings()
            let waiters = VerdictWaiters(capacity: bounds.maxWaiting)
            let reader = try VerdictFeed(brokers: brokers, settings: settings, waiters: waiters, logger: logger)
            let sender = try Publisher(brokers: brokers, settings: settings, queueLimit: bounds.maxWaiting, logger: logger)
            (feed, publisher) = (reader, sender)
            verdicts = VerdictPath(waiters: waiters, publisher: sender, feed: reader, longestWaitMillis: bounds.maxWaitMillis)
        }
        defer {
            publisher?.stop()
            feed?.stop()
        }
        let (app, pool) = StatusServer(databaseURL: try database.url(), credentials: credentials, limits: bounds.limits,
                                       verdicts: verdicts)
            .application(host: address.host, port: address.port, registry: registry, logger: logger)
        defer { pool.shutdown() }
        credentials.reloadOnHangup(logger: logger)
        logger.info("serving the production-status API", metadata: [
            "address": "\(address.host):\(address.port)", "tokens": "\(credentials.required ? "required" : "none (open)")",
            "verdict_path": "\(verdicts == nil ? "off (no --brokers)" : "on")",
            "max_connections": "\(bounds.limits.maxConnections)", "body_timeout_ms": "\(Int(bounds.limits.bodyTimeout / .milliseconds(1)))",
        ])
        let watch = ReleaseWatcher(pool: pool, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app, ReleaseWatchService(watcher: watch)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The token file's tokens, or none: only on a loopback address, or with --allow-anonymous (said at warning
    /// level at every start). A token file that does not parse stops serve here, with the line's number.
    func credentials(listeningOn host: String, logger: Logger) throws -> Credentials {
        if let path = try apiTokenFile ?? Env.secret("LIVEGATE_API_TOKEN_FILE") {
            do { return try Credentials(file: path) } catch { throw ValidationError(error.description) }
        }
        let anonymous = try allowAnonymous || Env.flag("LIVEGATE_ALLOW_ANONYMOUS") == true
        guard isLoopback(host) || anonymous else {
            throw ValidationError("""
                serve would answer anyone on \(host) without tokens: give --api-token-file (LIVEGATE_API_TOKEN_FILE), \
                listen on a loopback address, or start with --allow-anonymous (LIVEGATE_ALLOW_ANONYMOUS=1).
                """)
        }
        if anonymous {
            logger.warning("serving WITHOUT tokens (--allow-anonymous): every caller may read every tenant and post for any",
                           metadata: ["address": "\(host)"])
        }
        return .open
    }

    /// A yes/no environment variable: unset or empty is no; `1`/`true`/`yes` yes; anything else is refused.
    static func raiseDescriptorLimit(for connections: Int, logger: Logger) {
        guard let limit = DescriptorLimit.raise() else {
            return logger.warning("cannot read the open-file limit; --max-connections may not be reachable")
        }
        if limit.soft < connections + DescriptorLimit.reserve {
            logger.warning("the open-file limit cannot hold --max-connections; connections past it are refused by the system",
                           metadata: ["soft_limit": "\(limit.soft)", "hard_limit": "\(limit.hard)",
                                      "max_connections": "\(connections)", "reachable": "\(max(0, limit.soft - DescriptorLimit.reserve))"])
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

extension Serve {
    /// Every bound, from its option, else its environment variable, else its default; each checked against
    /// its range.
    struct Bounds {
        var limits = StatusServer.Limits()
        var maxWaiting = 10_000
        var maxWaitMillis = 10_000
    }

    func bounds() throws -> Bounds {
        var bounds = Bounds()
        func value(_ given: Int?, _ option: String, _ variable: String, _ range: ClosedRange<Int>, default fallback: Int) throws -> Int {
            let resolved: Int
            if let given {
                resolved = given
            } else if let text = Env.get(variable) {
                guard let number = Int(text) else { throw ValidationError("\(variable) must be a whole number.") }
                resolved = number
            } else {
                resolved = fallback
            }
            guard range.contains(resolved) else { throw ValidationError("\(option) (\(variable)) must be \(range.lowerBound) to \(range.upperBound).") }
            return resolved
        }
        let defaults = StatusServer.Limits()
        bounds.maxWaiting = try value(maxWaiting, "--max-waiting", "LIVEGATE_MAX_WAITING", 1...1_000_000, default: 10_000)
        bounds.maxWaitMillis = try value(maxWaitMillis, "--max-wait-ms", "LIVEGATE_MAX_WAIT_MS", 0...10_000, default: 10_000)
        bounds.limits.maxInFlight = try value(maxInFlight, "--max-in-flight", "LIVEGATE_MAX_IN_FLIGHT", 1...100_000,
                                              default: defaults.maxInFlight)
        bounds.limits.databaseConnections = try value(databaseConnections, "--db-connections", "LIVEGATE_DB_CONNECTIONS", 1...64,
                                                      default: defaults.databaseConnections)
        bounds.limits.databaseQueue = max(16, bounds.limits.maxInFlight / 4)
        bounds.limits.requestTimeout = .milliseconds(try value(requestTimeoutMillis, "--request-timeout-ms",
                                                               "LIVEGATE_REQUEST_TIMEOUT_MS", 100...60_000, default: 2000))
        bounds.limits.maxConnections = try value(maxConnections, "--max-connections", "LIVEGATE_MAX_CONNECTIONS", 16...1_000_000,
                                                 default: defaults.maxConnections)
        bounds.limits.bodyTimeout = .milliseconds(try value(bodyTimeoutMillis, "--body-timeout-ms", "LIVEGATE_BODY_TIMEOUT_MS",
                                                            100...600_000, default: 5000))
        bounds.limits.bodyBytesInFlight = try value(maxBodyBytesInFlight, "--max-body-bytes-in-flight",
                                                    "LIVEGATE_MAX_BODY_BYTES_IN_FLIGHT", (1 << 20)...(4 << 30),
                                                    default: defaults.bodyBytesInFlight)
        return bounds
    }
}
