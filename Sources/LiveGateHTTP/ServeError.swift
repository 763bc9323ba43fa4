import Hummingbird
import LiveGateCore

/// Error bodies of `serve`: `{"code", "reason", "error", "message"}`. `code` is the contract's upper-case
/// class (`FORBIDDEN`, by default the status's name), `reason` the snake-case cause (`tenant_scope`); `error`
/// repeats `reason` for callers written before v1.2, and `message` says it in words. Never a token or a body.
enum ServeError {
    static func response(
        _ status: HTTPResponse.Status, _ reason: String, _ message: String, code: String? = nil,
        extra: HTTPFields = [:]
    ) -> Response {
        json(
            status,
            .object([
                ("code", .string(code ?? Self.code(of: status))), ("reason", .string(reason)),
                ("error", .string(reason)), ("message", .string(message)),
            ]), extra: extra)
    }

    /// The answer to a caller `Access.decide` refused.
    static func refusal(_ decision: Access.Decision) -> Response {
        switch decision {
        case .allowed:
            preconditionFailure("not a refusal")
        case .unauthorized:
            HTTPMetrics.rejected("unauthorized")
            return response(
                .unauthorized, "unauthorized", "a valid bearer token is required", extra: [.wwwAuthenticate: "Bearer"])
        case let .forbidden(reason):
            HTTPMetrics.rejected(reason)
            let message =
                reason == Access.tenantScope
                ? "this token is bound to another tenant" : "this token lacks the scope this route needs"
            return response(.forbidden, reason, message)
        case .tenantRequired:
            HTTPMetrics.rejected("tenant_required")
            return response(
                .badRequest, "tenant_required",
                "this path answers for the tenant a token is bound to; this one is bound to none: use /v1/tenants/{tenant_id}/production-status"
            )
        }
    }

    /// 503 with `Retry-After: 1`, counted as rejected for `reason`.
    static func unavailable(_ reason: String, _ message: String) -> Response {
        HTTPMetrics.rejected(reason)
        return response(.serviceUnavailable, reason, message, extra: [.retryAfter: "1"])
    }

    static func json(_ status: HTTPResponse.Status, _ body: JSONValue, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(body))))
    }

    static func raw(_ status: HTTPResponse.Status, _ bytes: [UInt8], extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `BAD_REQUEST`, `FORBIDDEN`, …: the status's reason phrase in upper snake case.
    static func code(of status: HTTPResponse.Status) -> String {
        status.reasonPhrase.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}
