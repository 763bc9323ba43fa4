import Foundation
import HTTPCommon
import Hummingbird
import HummingbirdCore
import LiveGateCore
import Logging
import Prometheus

/// `livegate serve`: the contract's production status (`GET /v1/tenants/{tenant_id}/production-status`, and
/// `GET /v1/tenants/production-status` for a token's own tenant), read from PostgreSQL; the what-if of a ceiling
/// (`POST /v1/tenants/{tenant_id}/ceiling-simulations`); with brokers the
/// one-call verdict path; `/healthz`, `/readyz` and `/metrics`. Who may call what is `RouteAccess` applied by
/// the `Authorization` middleware. Everything is bounded (`Limits`).
public struct StatusServer: Sendable {
    /// The bounds of one server. Memory is bounded by `maxConnections`: measured, about 29 KiB resident per open
    /// connection in a release build (32 KiB in a debug one) over 48 MiB at rest. Most of it is Hummingbird's and
    /// NIO's per connection (12 KiB idle, 24 KiB after one request; a heap profile puts half of it in the Swift
    /// task allocator's slabs for the connection's suspended async frames), the rest the frames a waiting call
    /// holds. So the default 5,000 connections and 32 MiB of bodies stay under 256 MiB whatever callers do
    /// (ServeBoundsProofTests: 10,000 waiting calls and 500 trickling bodies at once).
    public struct Limits: Sendable {
        /// Requests answered at once on the status and stored-verdict routes; more get 503 (`--max-in-flight`).
        public var maxInFlight = 256
        /// PostgreSQL connections (`--db-connections`), and queries that may wait for one.
        public var databaseConnections = 4
        public var databaseQueue = 64
        /// Longest time to answer a status read, also PostgreSQL's statement timeout (`--request-timeout-ms`).
        public var requestTimeout: Duration = .seconds(2)
        /// An idle keep-alive connection is closed after this.
        public var idleTimeout: Duration = .seconds(60)
        /// Open connections; past it, new ones wait in the listen backlog (`--max-connections`, default 5,000).
        public var maxConnections = 5_000
        /// From a request's head to the last byte of its body; a slower connection is closed
        /// (`--body-timeout-ms`, default 5000).
        public var bodyTimeout: Duration = .seconds(5)
        /// Bytes of request bodies held at once, reserved before a body is read (Content-Length, or the largest
        /// body when it is not given); past it, 503 (`--max-body-bytes-in-flight`, default 32 MiB).
        public var bodyBytesInFlight = 32 << 20
        /// Connections the kernel queues while serve accepts none (past `maxConnections`): as many as it allows
        /// (it caps this at `net.core.somaxconn`, 4096 by default), so a flood waits its turn rather than being reset.
        public var backlog = 65_535

        public init() {}
    }

    public let databaseURL: String
    public let credentials: Credentials
    public let limits: Limits
    public let rules: Rules
    /// The one-call verdict path (`POST /v1/transaction-attempts` …), when the server has brokers.
    public let verdicts: VerdictPath?
    /// The review promise and calendar of `GET /v1/review-queue` and its gauges (`--review-sla-days`,
    /// `--holidays`; default 3 business days, Monday to Friday, no holidays).
    public let reviewQueue: ReviewQueue.Settings

    public init(
        databaseURL: String, credentials: Credentials = .open, limits: Limits = Limits(), rules: Rules = .standard,
        verdicts: VerdictPath? = nil, reviewQueue: ReviewQueue.Settings = .init()
    ) {
        self.databaseURL = databaseURL
        self.credentials = credentials
        self.limits = limits
        self.rules = rules
        self.verdicts = verdicts
        self.reviewQueue = reviewQueue
    }

    public func application(
        host: String, port: Int, registry: PrometheusCollectorRegistry,
        logger: Logger
    ) -> (some ApplicationProtocol, DatabasePool) {
        let pool = DatabasePool(
            url: databaseURL, size: limits.databaseConnections, queueLimit: limits.databaseQueue,
            timeout: limits.requestTimeout)
        let deadline = BodyDeadline.Settings(timeout: limits.bodyTimeout)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [BodyDeadlineHandler(deadline)],
            idleTimeout: .nanoseconds(limits.idleTimeout.nanoseconds))
        let app = Application(
            router: router(pool: pool, registry: registry, logger: logger),
            server: .http1(configuration: http1),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "livegate",
                backlog: limits.backlog,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            logger: logger)
        return (app, pool)
    }

    /// The routes: each API answer is counted (`RequestMetrics`, outermost, so refusals count too); who may
    /// call them (401, 403, 400) is the one middleware every route has; then each route's own bounds; a method
    /// a served path does not answer is 405. Few middleware on purpose: each is an async frame a waiting call
    /// holds.
    public func router(pool: DatabasePool, registry: PrometheusCollectorRegistry, logger: Logger) -> Router<
        ServeContext
    > {
        let router = Router(context: ServeContext.self, options: .autoGenerateHeadEndpoints)
        let served = Self.routes(verdictPath: verdicts != nil)
        router.add(middleware: RequestMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        router.add(middleware: Authorization(credentials: credentials))
        // Probes and scrapes are never refused for load: an overloaded server must not look dead.
        PrometheusScrape.add(to: router, registry: registry)
        router.get("healthz") { _, _ -> Response in PlainText.response(.ok, "ok\n") }
        router.get("readyz") { [verdicts] _, _ -> Response in
            guard await pool.ready() else {
                return PlainText.response(
                    .serviceUnavailable,
                    "PostgreSQL does not answer (or has no LiveGate schema)\n")
            }
            if let verdicts, !verdicts.feedIsHealthy() {
                let topic = Topics.transactionVerdict
                return PlainText.response(
                    .serviceUnavailable,
                    "the verdict feed cannot read \(topic): calls would wait out wait_ms\n")
            }
            return PlainText.response(.ok, "ready\n")
        }
        let tenants = router.group("v1/tenants").add(middleware: RequestBounds(maxInFlight: limits.maxInFlight))
        tenants.get("production-status") { [self] _, context -> Response in
            // Authorization let it through only with a token bound to a tenant.
            await productionStatus(tenantId: context.boundTenant ?? "", pool: pool, logger: logger)
        }
        tenants.get(":tenant_id/production-status") { [self] _, context -> Response in
            guard let tenantId = InputDecoder.usableId(context.pathTenant.map(JSONValue.string)) else {
                return Self.invalidTenant
            }
            return await productionStatus(tenantId: tenantId, pool: pool, logger: logger)
        }
        tenants.post(":tenant_id/ceiling-simulations") { [self] request, context -> Response in
            await ceilingSimulation(request, context, pool: pool)
        }
        router.group("v1/review-queue").add(middleware: RequestBounds(maxInFlight: limits.maxInFlight))
            .get { [self] _, _ -> Response in await reviewQueueAnswer(pool: pool, logger: logger) }
        // Bounded by the waiters' registry, the publish queue, the body budget and the pool's queue, not by
        // `maxInFlight`: a request waiting for its verdict holds no thread.
        if let verdicts {
            for kind in VerdictPath.Kind.allCases {
                tenants.get(":tenant_id/\(kind.collection)/:event_id") { [self] _, context -> Response in
                    await storedVerdict(context, kind: kind, pool: pool)
                }
            }
            let budget = BodyBudget(bytes: limits.bodyBytesInFlight)
            for kind in VerdictPath.Kind.allCases {
                router.post(RouterPath("v1/\(kind.collection)")) { request, context -> Response in
                    await Self.post(request, context, kind: kind, path: verdicts, budget: budget)
                }
            }
        }
        // Last: for requests no route answers.
        router.add(
            middleware: AllowedMethods(routes: served) { allowed in
                ServeError.response(.methodNotAllowed, "method_not_allowed", "only \(allowed) here")
            })
        return router
    }

    /// The routes this server answers, as `RouteAccess.table` names them.
    static func routes(verdictPath: Bool) -> [String] {
        var routes = [
            "GET /healthz", "GET /readyz", "GET /metrics", "GET /v1/tenants/production-status",
            "GET /v1/tenants/{tenant_id}/production-status", "POST /v1/tenants/{tenant_id}/ceiling-simulations",
            "GET /v1/review-queue",
        ]
        if verdictPath {
            for kind in VerdictPath.Kind.allCases {
                routes += ["POST /v1/\(kind.collection)", "GET /v1/tenants/{tenant_id}/\(kind.collection)/{event_id}"]
            }
        }
        return routes
    }

    static let invalidTenant = ServeError.response(
        .badRequest, "invalid_tenant_id",
        "tenant_id must be 1 to 128 characters without control characters")
}
