import Foundation
import Hummingbird
import LiveGateCore
import LiveGateStore
import Logging
import Metrics
import Postgres
import Prometheus
import Synchronization

/// `livegate serve`: the contract's `GET /v1/tenants/{tenant_id}/production-status` (section "Production
/// status over HTTP"), read from PostgreSQL, plus `/healthz`, `/readyz` and `/metrics`. Every request is
/// bounded: at most `maxInFlight` at once (503 beyond, with Retry-After), each answered within
/// `requestTimeout` (503 `timeout` otherwise), idle connections closed after `idleTimeout`.
public struct StatusServer: Sendable {
    public struct Limits: Sendable {
        public var maxInFlight = 256
        public var databaseConnections = 4
        public var databaseQueue = 64
        public var requestTimeout: Duration = .seconds(2)
        public var idleTimeout: Duration = .seconds(60)

        public init() {}
    }

    public let databaseURL: String
    public let tokens: APITokens?
    public let limits: Limits
    public let rules: Rules
    /// The one-call verdict path (`POST /v1/transaction-attempts` …), when the server has brokers.
    public let verdicts: VerdictPath?

    public init(databaseURL: String, tokens: APITokens?, limits: Limits = Limits(), rules: Rules = .standard,
                verdicts: VerdictPath? = nil) {
        self.databaseURL = databaseURL
        self.tokens = tokens
        self.limits = limits
        self.rules = rules
        self.verdicts = verdicts
    }

    public func application(host: String, port: Int, registry: PrometheusCollectorRegistry,
                            logger: Logger) -> (some ApplicationProtocol, DatabasePool) {
        let pool = DatabasePool(url: databaseURL, size: limits.databaseConnections, queueLimit: limits.databaseQueue,
                                timeout: limits.requestTimeout)
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: AllowedMethods(allowed: { [verdicts] in Self.methods(of: $0, verdictPath: verdicts != nil) }))
        // Probes and scrapes are never refused for load: an overloaded server must not look dead.
        WorkerEndpoints.addMetrics(to: router, registry: registry)
        router.get("healthz") { _, _ -> Response in WorkerEndpoints.text(.ok, "ok\n") }
        router.get("readyz") { [verdicts] _, _ -> Response in
            guard await pool.ready() else {
                return WorkerEndpoints.text(.serviceUnavailable, "PostgreSQL does not answer (or has no LiveGate schema)\n")
            }
            if let verdicts, !verdicts.feed.isHealthy {
                return WorkerEndpoints.text(.serviceUnavailable,
                                            "the verdict feed cannot read \(Topics.transactionVerdict): calls would wait out wait_ms\n")
            }
            return WorkerEndpoints.text(.ok, "ready\n")
        }
        router.group("v1/tenants").add(middleware: RequestBounds(maxInFlight: limits.maxInFlight))
            .get(":tenant_id/production-status") { [self] request, context -> Response in
                await productionStatus(request, context, pool: pool, logger: logger)
            }
        // Bounded by the waiters' registry, the publish queue and the pool's queue, not by `maxInFlight`:
        // a request waiting for its verdict holds no thread.
        if let verdicts {
            let v1 = router.group("v1")
            v1.post("transaction-attempts") { [self] request, context -> Response in
                await post(request, context, as: .transactionAttempted, path: verdicts, route: "post_attempt")
            }
            v1.post("transaction-resolutions") { [self] request, context -> Response in
                await post(request, context, as: .transactionResolved, path: verdicts, route: "post_resolution")
            }
            for collection in ["transaction-attempts", "transaction-resolutions"] {
                v1.get("\(collection)/:event_id") { [self] request, context -> Response in
                    await storedVerdict(request, context, pool: pool, route: "get_verdict")
                }
            }
        }
        let app = Application(router: router,
                              server: .http1(configuration: .init(idleTimeout: .nanoseconds(limits.idleTimeout.nanoseconds))),
                              configuration: .init(address: .hostname(host, port: port), serverName: "livegate"),
                              logger: logger)
        return (app, pool)
    }

    func productionStatus(_ request: Request, _ context: some RequestContext, pool: DatabasePool,
                          logger: Logger) async -> Response {
        let route = "production_status"
        if let refusal = unauthorized(request) { return HTTPMetrics.count(route, refusal) }
        // The same rule as a tenant_id on the topics: 1 to 128 characters, no control characters.
        guard let decoded = context.parameters.get("tenant_id")?.removingPercentEncoding,
              let tenantId = InputDecoder.usableId(.string(decoded)) else {
            return HTTPMetrics.count(route, Self.error(.badRequest, "invalid_tenant_id",
                                                       "tenant_id must be 1 to 128 characters without control characters"))
        }
        let started = ContinuousClock.now
        let rules = rules
        do {
            let asOf = UTCInstant(millis: Int64(Date().timeIntervalSince1970 * 1000))
            let body = try await pool.run { connection in
                try TenantReport.load(tenantId, at: asOf, on: connection, rules: rules).productionStatus(asOf: asOf)
            }
            HTTPMetrics.duration(route, since: started)
            return HTTPMetrics.count(route, Self.json(.ok, body))
        } catch DatabasePool.Failure.overloaded {
            HTTPMetrics.rejected("overloaded")
            return HTTPMetrics.count(route, Self.error(.serviceUnavailable, "overloaded", "too many requests in flight; retry",
                                                       extra: [.retryAfter: "1"]))
        } catch DatabasePool.Failure.timedOut {
            HTTPMetrics.rejected("timeout")
            return HTTPMetrics.count(route, Self.error(.serviceUnavailable, "timeout", "PostgreSQL did not answer in time; retry",
                                                       extra: [.retryAfter: "1"]))
        } catch let error as StoreError where error.kind == .invariantViolated {
            // A stored row LiveGate cannot read (a bug, tampering, a newer schema): retrying will not help.
            logger.error("production status failed", metadata: ["error": "\(error)"])
            return HTTPMetrics.count(route, Self.error(.internalServerError, "internal_error", "the tenant's stored state cannot be read"))
        } catch let error as StoreError where error.underlying?.sqlState == "57014" {
            HTTPMetrics.rejected("timeout")
            return HTTPMetrics.count(route, Self.error(.serviceUnavailable, "timeout", "PostgreSQL did not answer in time; retry",
                                                       extra: [.retryAfter: "1"]))
        } catch {
            logger.warning("production status failed", metadata: ["error": "\(error)"])
            return HTTPMetrics.count(route, Self.error(.serviceUnavailable, "database_unavailable",
                                                       "PostgreSQL is unavailable; retry", extra: [.retryAfter: "1"]))
        }
    }

    /// The methods a path of this server answers, or nil for a path it does not serve.
    static func methods(of path: String, verdictPath: Bool) -> [HTTPRequest.Method]? {
        if ["/healthz", "/readyz", "/metrics"].contains(path)
            || (path.hasPrefix("/v1/tenants/") && path.hasSuffix("/production-status")
                && path.count > "/v1/tenants//production-status".count) {
            return [.get, .head]
        }
        guard verdictPath else { return nil }
        if ["/v1/transaction-attempts", "/v1/transaction-resolutions"].contains(path) { return [.post] }
        if ["/v1/transaction-attempts/", "/v1/transaction-resolutions/"].contains(where: { path.hasPrefix($0) && path.count > $0.count }) {
            return [.get, .head]
        }
        return nil
    }

    static func json(_ status: HTTPResponse.Status, _ body: JSONValue, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(body))))
    }

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String, extra: HTTPFields = [:]) -> Response {
        json(status, .object([("error", .string(code)), ("message", .string(message))]), extra: extra)
    }
}

/// At most `maxInFlight` requests are being answered at once; the rest get 503 at once.
struct RequestBounds<Context: RequestContext>: RouterMiddleware {
    final class Count: Sendable { let value = Atomic<Int>(0) }

    let maxInFlight: Int
    let inFlight = Count()

    init(maxInFlight: Int) { self.maxInFlight = maxInFlight }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = inFlight.value.wrappingAdd(1, ordering: .relaxed).newValue
        defer { inFlight.value.wrappingSubtract(1, ordering: .relaxed) }
        guard now <= maxInFlight else {
            HTTPMetrics.rejected("overloaded")
            return StatusServer.error(.serviceUnavailable, "overloaded", "too many requests in flight; retry",
                                      extra: [.retryAfter: "1"])
        }
        return try await next(request, context)
    }
}

/// A method a known path does not answer is 405 with `Allow`, not 404.
struct AllowedMethods<Context: RequestContext>: RouterMiddleware {
    let allowed: @Sendable (String) -> [HTTPRequest.Method]?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let methods = allowed(request.uri.path), !methods.contains(request.method) else {
            return try await next(request, context)
        }
        let names = methods.map(\.rawValue).joined(separator: ", ")
        var response = StatusServer.error(.methodNotAllowed, "method_not_allowed", "only \(names) here")
        response.headers[.allow] = names
        return response
    }
}

/// What `livegate serve` reports on `/metrics`; every name starts with `livegate_http_`.
enum HTTPMetrics {
    static func count(_ route: String, _ response: Response) -> Response {
        Counter(label: "livegate_http_requests_total", dimensions: [("route", route), ("status", String(response.status.code))])
            .increment()
        return response
    }

    static func duration(_ route: String, since start: ContinuousClock.Instant) {
        Timer(label: "livegate_http_request_duration_seconds", dimensions: [("route", route)], preferredDisplayUnit: .seconds)
            .recordNanoseconds((ContinuousClock.now - start).nanoseconds)
    }

    static func rejected(_ reason: String) {
        Counter(label: "livegate_http_rejected_total", dimensions: [("reason", reason)]).increment()
    }
}
