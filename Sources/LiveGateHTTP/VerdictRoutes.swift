import Foundation
import Hummingbird
import Kafka
import LiveGateCore
import LiveGateStore
import Logging

/// The one-call path for money paths: `POST /v1/transaction-attempts` (and `/v1/transaction-resolutions`)
/// publishes the body to `sly.transaction-attempt.v1`, keyed by its tenant, and waits up to `wait_ms` for its
/// verdict: 200 with the verdict's bytes as published, or 202 with where to look later. `GET` on
/// `/v1/transaction-attempts/{event_id}` returns the stored verdict. Each request waits on a bounded registry
/// fed by one reader of the verdict topic per server.
public struct VerdictPath: Sendable {
    public let waiters: VerdictWaiters
    public let publisher: Publisher
    public let feed: VerdictFeed
    /// The longest wait this server grants (`--max-wait-ms`); a larger `wait_ms` is cut to it.
    public let longestWaitMillis: Int

    public static let defaultWaitMillis = 2000
    public static let maxWaitMillis = 10_000
    /// The least time a request gives Kafka to acknowledge its input (a `wait_ms` of 0 still waits for that):
    /// past it, or past `wait_ms` when that is longer, the answer is 503 instead of waiting out
    /// `message.timeout.ms` (30 s) while the brokers are away.
    public static let shortestPublishTime = Duration.seconds(1)

    public init(waiters: VerdictWaiters, publisher: Publisher, feed: VerdictFeed, longestWaitMillis: Int = maxWaitMillis) {
        self.waiters = waiters
        self.publisher = publisher
        self.feed = feed
        self.longestWaitMillis = min(max(0, longestWaitMillis), Self.maxWaitMillis)
    }
}

extension StatusServer {
    func post(_ request: Request, _ context: some RequestContext, as type: EventType, path: VerdictPath,
              route: String) async -> Response {
        if let refusal = unauthorized(request) { return HTTPMetrics.count(route, refusal) }
        let waitMillis: Int
        if let given = request.uri.queryParameters.get("wait_ms") {
            guard let millis = Int(given), (0...VerdictPath.maxWaitMillis).contains(millis) else {
                return HTTPMetrics.count(route, Self.error(.badRequest, "invalid_wait_ms",
                                                           "wait_ms must be a whole number from 0 to \(VerdictPath.maxWaitMillis)"))
            }
            waitMillis = millis
        } else {
            waitMillis = VerdictPath.defaultWaitMillis
        }
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.body.collect(upTo: Intake.maxBodyBytes))
        } catch {
            return HTTPMetrics.count(route, Self.error(.contentTooLarge, "body_too_large",
                                                       "the body is larger than \(Intake.maxBodyBytes) bytes"))
        }
        let addressed: Intake.Addressed
        switch Intake.address(body, as: type) {
        case let .success(value): addressed = value
        case let .failure(refusal): return HTTPMetrics.count(route, Self.error(.badRequest, refusal.code, refusal.message))
        }
        // Registered before publishing: a verdict faster than this request's next step is kept for it.
        guard let ticket = path.waiters.register(addressed.eventId, body: body, fingerprint: addressed.fingerprint) else {
            HTTPMetrics.rejected("waiters_full")
            return HTTPMetrics.count(route, Self.error(.serviceUnavailable, "overloaded", "too many requests waiting for verdicts; retry",
                                                       extra: [.retryAfter: "1"]))
        }
        let started = ContinuousClock.now
        let record = ProducerRecord(topic: Topics.transactionAttempt, key: Array(addressed.tenantId.utf8), value: body)
        path.publisher.publish(record) { ticket.published($0) }
        let verdictWait = Duration.milliseconds(min(waitMillis, path.longestWaitMillis))
        let outcome = await path.waiters.wait(ticket, verdictWait: verdictWait,
                                              publishTime: max(verdictWait, VerdictPath.shortestPublishTime))
        HTTPMetrics.duration(route, since: started)
        switch outcome {
        case let .verdict(verdict):
            return HTTPMetrics.count(route, Self.raw(.ok, verdict))
        case .pending:
            return HTTPMetrics.count(route, Self.json(.accepted, .object([
                ("event_id", .string(addressed.eventId)), ("state", .string("pending")),
            ]), extra: [.location: Self.verdictLocation(addressed.eventId)]))
        case let .refused(error, message) where error == DeadLetterError.idempotencyConflict.rawValue:
            return HTTPMetrics.count(route, Self.error(.conflict, error, message,
                                                       extra: [.location: Self.verdictLocation(addressed.eventId)]))
        case let .refused(error, message):
            return HTTPMetrics.count(route, Self.error(.unprocessableContent, error, message))
        case let .unpublished(failure):
            let reason: String
            switch failure {
            case .overloaded: reason = "publish_queue_full"
            case .notAcknowledged: reason = "publish_not_acknowledged"
            case .stopped, .kafka: reason = "publish_failed"
            }
            HTTPMetrics.rejected(reason)
            return HTTPMetrics.count(route, Self.error(.serviceUnavailable, "kafka_unavailable",
                                                       "Kafka did not acknowledge the input in time; it may still be applied: retry with the same event_id",
                                                       extra: [.retryAfter: "1"]))
        }
    }

    func storedVerdict(_ request: Request, _ context: some RequestContext, pool: DatabasePool, route: String) async -> Response {
        if let refusal = unauthorized(request) { return HTTPMetrics.count(route, refusal) }
        guard let decoded = context.parameters.get("event_id")?.removingPercentEncoding,
              let eventId = InputDecoder.usableId(.string(decoded)) else {
            return HTTPMetrics.count(route, Self.error(.badRequest, "invalid_event_id",
                                                       "event_id must be 1 to 128 characters without control characters"))
        }
        do {
            guard let verdict = try await pool.run({ try StoredVerdict.load(eventId: eventId, on: $0) }) else {
                return HTTPMetrics.count(route, Self.error(.notFound, "not_found", "no verdict for this event_id (yet)"))
            }
            return HTTPMetrics.count(route, Self.raw(.ok, verdict))
        } catch {
            return HTTPMetrics.count(route, Self.error(.serviceUnavailable, "database_unavailable",
                                                       "PostgreSQL is unavailable; retry", extra: [.retryAfter: "1"]))
        }
    }

    /// Where a pending input's verdict will be: the id as one path segment, percent-encoded.
    static func verdictLocation(_ eventId: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/%")
        return "/v1/transaction-attempts/" + (eventId.addingPercentEncoding(withAllowedCharacters: allowed) ?? eventId)
    }

    static func raw(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// 401 when tokens are configured and the request has none of them.
    func unauthorized(_ request: Request) -> Response? {
        guard let tokens, !tokens.accepts(authorization: request.headers[.authorization]) else { return nil }
        HTTPMetrics.rejected("unauthorized")
        return Self.error(.unauthorized, "unauthorized", "a valid bearer token is required", extra: [.wwwAuthenticate: "Bearer"])
    }
}
