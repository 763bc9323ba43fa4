/// `sly.transaction-verdict.v1`: exactly one per transaction attempt.
public struct TransactionVerdict: Sendable, Equatable {
    public let eventId: String
    public let tenantId: String
    public let attempt: Attempt
    public let decision: AttemptDecision
    public let ceiling: EffectiveCeiling
    public let decidedAt: UTCInstant

    public var json: JSONValue {
        let report = decision.report
        return .object([
            ("event_id", .string(eventId)),
            ("tenant_id", .string(tenantId)),
            ("subject", .string("attempt")),
            ("outcome", .string(decision.allowed ? "allowed" : "denied")),
            ("status", .int(decision.status)),
            ("code", .string(decision.code)),
            ("reason", .string(decision.reason)),
            ("errors", .errors(decision.errors)),
            ("environment", .string(attempt.environment?.rawValue)),
            ("rail", .string(attempt.rail?.rawValue)),
            ("currency", .string(attempt.currency)),
            ("amount", .micros(attempt.amount)),
            ("requested", .micros(attempt.amount)),
            ("window", .string(report?.name.rawValue)),
            ("limit", .micros(report?.limit)),
            ("used", .micros(report?.used)),
            ("remaining", .micros(report?.remaining)),
            ("window_start", .instant(report?.window?.startInstant)),
            ("resets_at", .instant(report?.window?.resetsAt)),
            // v1.2: what is possible now. Verdicts stored before v1.2 lack both and are republished as stored.
            ("max_amount_now", .micros(decision.maxAmountNow)),
            ("retry_at", .instant(decision.retryAt)),
            ("ceiling", ceiling.json),
            ("decided_at", .instant(decidedAt)),
        ])
    }

    public var record: OutputRecord {
        var record = OutputRecord(topic: Topics.transactionVerdict, key: tenantId, json: json)
        record.label = VerdictLabel(
            kind: "attempt", outcome: decision.allowed ? "allowed" : "denied", reason: decision.reason)
        return record
    }
}

/// The verdict on a `transaction.resolved`, on the same topic with `"subject": "resolution"`.
public struct ResolutionVerdict: Sendable, Equatable {
    public let eventId: String
    public let tenantId: String
    /// Nil when the body was invalid.
    public let resolution: Resolution?
    public let status: Int
    public let code: String?
    public let reason: String?
    public let errors: [FieldError]
    /// What was given back to the day and month windows (`"0"` when the attempt booked nothing); nil when
    /// the resolution was rejected.
    public let released: Micros?
    public let decidedAt: UTCInstant

    public var json: JSONValue {
        .object([
            ("event_id", .string(eventId)),
            ("tenant_id", .string(tenantId)),
            ("subject", .string("resolution")),
            ("attempt_id", .string(resolution?.attemptId)),
            ("resolution", .string(resolution?.kind.rawValue)),
            ("outcome", .string(status == 200 ? "accepted" : "rejected")),
            ("status", .int(status)),
            ("code", .string(code)),
            ("reason", .string(reason)),
            ("errors", .errors(errors)),
            ("released", released.map { .string($0.description) } ?? .null),
            ("decided_at", .instant(decidedAt)),
        ])
    }

    public var record: OutputRecord {
        var record = OutputRecord(topic: Topics.transactionVerdict, key: tenantId, json: json)
        record.label = VerdictLabel(
            kind: "resolution", outcome: status == 200 ? "accepted" : "rejected", reason: reason)
        record.label?.resolution = resolution?.kind.rawValue ?? "invalid"
        record.label?.released = released
        return record
    }
}

extension TransactionVerdict {
    /// The `event_id` of a verdict's bytes, read from the front, where LiveGate writes it, without parsing
    /// the rest: every `livegate serve` reads every verdict. Bytes of another layout, or an id with an escape
    /// in it, are parsed in full. nil when the bytes are not an object with a string `event_id`.
    public static func eventId(in bytes: [UInt8]) -> String? {
        if bytes.starts(with: idPrefix) {
            var end = idPrefix.count
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                return String(decoding: bytes[idPrefix.count..<end], as: UTF8.self)
            }
        }
        return (try? JSONParser.parse(bytes))?["event_id"]?.stringValue
    }

    private static let idPrefix = Array(#"{"event_id":""#.utf8)
}
