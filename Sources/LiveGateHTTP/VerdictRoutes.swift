import Foundation
import Hummingbird
import Kafka
import LiveGateCore
import LiveGateStore

extension StatusServer {
    /// A static function of few values, its answer built by a plain one: its async frame is what a waiting
    /// call holds, and a small frame is a small part of the task memory each of thousands of waits keeps.
    static func post(
        _ request: Request, _ context: ServeContext, kind: VerdictPath.Kind, path: VerdictPath,
        budget: BodyBudget
    ) async -> Response {
        let waitMillis: Int
        if let given = request.uri.queryParameters.get("wait_ms") {
            guard let millis = Int(given), (0...VerdictPath.maxWaitMillis).contains(millis) else {
                return ServeError.response(
                    .badRequest, "invalid_wait_ms",
                    "wait_ms must be a whole number from 0 to \(VerdictPath.maxWaitMillis)")
            }
            waitMillis = millis
        } else {
            waitMillis = VerdictPath.defaultWaitMillis
        }
        let addressed: Intake.Addressed, ticket: VerdictWaiters.Ticket
        // The body's bytes are reserved before any is read, and held until the call is answered.
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > Intake.maxBodyBytes {
            return ServeError.response(
                .contentTooLarge, "body_too_large",
                "the body is larger than \(Intake.maxBodyBytes) bytes")
        }
        guard let reservation = budget.reserve(declared ?? Intake.maxBodyBytes) else {
            return ServeError.unavailable("body_budget", "too many request bodies in flight; retry")
        }
        defer { reservation.release() }
        switch await publish(request, context, kind: kind, path: path, reservation: reservation) {
        case let .answered(response): return response
        case let .published(value, waiting): (addressed, ticket) = (value, waiting)
        }
        let verdictWait = Duration.milliseconds(min(waitMillis, path.longestWaitMillis))
        let outcome = await path.waiters.wait(
            ticket, verdictWait: verdictWait,
            publishTime: max(verdictWait, VerdictPath.shortestPublishTime))
        return response(to: outcome, of: addressed, kind: kind)
    }

    /// The answer to a call that was published: 200, 202, 409, 422 or 503.
    static func response(to outcome: VerdictWaiters.Outcome, of addressed: Intake.Addressed, kind: VerdictPath.Kind)
        -> Response
    {
        let location = verdictLocation(tenantId: addressed.tenantId, eventId: addressed.eventId, kind: kind)
        switch outcome {
        case let .verdict(verdict):
            return ServeError.raw(.ok, verdict)
        case .pending:
            return ServeError.json(
                .accepted,
                .object([
                    ("event_id", .string(addressed.eventId)), ("state", .string("pending")),
                ]), extra: [.location: location])
        case let .refused(error, message) where error == DeadLetterError.idempotencyConflict.rawValue:
            return ServeError.response(.conflict, error, message, extra: [.location: location])
        case let .refused(error, message):
            return ServeError.response(.unprocessableContent, error, message)
        case let .unpublished(failure):
            let reason: String
            switch failure {
            case .overloaded: reason = "publish_queue_full"
            case .notAcknowledged: reason = "publish_not_acknowledged"
            case .stopped, .kafka: reason = "publish_failed"
            }
            HTTPMetrics.rejected(reason)
            return ServeError.response(
                .serviceUnavailable, "kafka_unavailable",
                "Kafka did not acknowledge the input in time; it may still be applied: retry with the same event_id",
                extra: [.retryAfter: "1"])
        }
    }

    enum Posted {
        case answered(Response)
        case published(Intake.Addressed, VerdictWaiters.Ticket)
    }

    /// Reads and addresses the body, checks its tenant against the caller's token, registers the wait and
    /// publishes. The body's bytes are let go here: a waiting request keeps only their digest.
    private static func publish(
        _ request: Request, _ context: ServeContext, kind: VerdictPath.Kind, path: VerdictPath,
        reservation: BodyBudget.Reservation
    ) async -> Posted {
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.body.collect(upTo: Intake.maxBodyBytes))
        } catch {
            return .answered(
                ServeError.response(
                    .contentTooLarge, "body_too_large", "the body is larger than \(Intake.maxBodyBytes) bytes"))
        }
        reservation.shrink(to: body.count)
        let addressed: Intake.Addressed
        switch Intake.address(body, as: kind.eventType) {
        case let .success(value): addressed = value
        case let .failure(refusal): return .answered(ServeError.response(.badRequest, refusal.code, refusal.message))
        }
        // The body's tenant, checked by the same rule as a path's: a refused caller publishes nothing.
        let decision = Access.bodyTenant(addressed.tenantId, of: context.caller, posting: "/v1/\(kind.collection)")
        guard case .allowed = decision else { return .answered(ServeError.refusal(decision)) }
        // Registered before publishing: a verdict faster than this request's next step is kept for it.
        guard
            let ticket = path.waiters.register(
                tenantId: addressed.tenantId, eventId: addressed.eventId,
                bodySHA256: SHA256Hex.of(body), fingerprint: addressed.fingerprint)
        else {
            HTTPMetrics.rejected("waiters_full")
            return .answered(
                ServeError.response(
                    .serviceUnavailable, "overloaded", "too many requests waiting for verdicts; retry",
                    extra: [.retryAfter: "1"]))
        }
        let record = ProducerRecord(topic: Topics.transactionAttempt, key: Array(addressed.tenantId.utf8), value: body)
        path.publisher.publish(record) { ticket.published($0) }
        return .published(addressed, ticket)
    }

    func storedVerdict(_ context: ServeContext, kind: VerdictPath.Kind, pool: DatabasePool) async -> Response {
        guard let tenantId = InputDecoder.usableId(context.pathTenant.map(JSONValue.string)) else {
            return Self.invalidTenant
        }
        guard let decoded = context.parameters.get("event_id")?.removingPercentEncoding,
            let eventId = InputDecoder.usableId(.string(decoded))
        else {
            return ServeError.response(
                .badRequest, "invalid_event_id",
                "event_id must be 1 to 128 characters without control characters")
        }
        do {
            let type = kind.eventType
            guard
                let verdict = try await pool.run({
                    try StoredVerdict.load(tenantId: tenantId, eventId: eventId, kind: type, on: $0)
                })
            else {
                return ServeError.response(.notFound, "not_found", "no verdict for this event_id of this tenant (yet)")
            }
            return ServeError.raw(.ok, verdict)
        } catch {
            return Self.databaseFailure(error, logger: context.logger)
        }
    }

    /// Where a pending input's verdict will be: the tenant and the id each as one path segment, percent-encoded.
    static func verdictLocation(tenantId: String, eventId: String, kind: VerdictPath.Kind) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/%")
        func segment(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return "/v1/tenants/\(segment(tenantId))/\(kind.collection)/\(segment(eventId))"
    }
}
