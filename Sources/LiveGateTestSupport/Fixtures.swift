import Foundation
import LiveGateCore
import LiveGateStore

/// Builders for input records as upstream services would publish them. Each returns JSON text so tests
/// exercise the real decoder; `decode` turns one into an `InputEvent`.
public enum Fixtures {
    public static let noon = "2026-11-29T12:00:00Z"

    /// The current time as RFC 3339, for events that travel through Kafka: their record timestamp is the
    /// time of publishing, and attempts must be within 5 minutes of it.
    public static func now() -> String {
        WallClock.now().description
    }

    public static func declaration(
        _ id: String, tenant: String, at: String = noon, role: String = "owner",
        useCase: String = "Agents paying x402 APIs for our research product",
        email: String = "owner@example.com"
    ) -> String {
        """
        {"event_id":"\(id)","type":"declaration.submitted","tenant_id":"\(tenant)","occurred_at":"\(at)",
         "actor":{"kind":"user","id":"u-\(tenant)","role":"\(role)"},
         "declaration":{"intended_use_case":\(quoted(useCase)),"expected_monthly_volume_usd":1500,
                        "website_url":"https://example.com","accepted_terms":true},
         "identity":{"email":"\(email)","email_verified":true,"name":"Ada","provider":"google"}}
        """
    }

    /// `extra`: more members as JSON text, e.g. `"expected_version":3`.
    public static func decision(
        _ id: String, tenant: String, action: String, at: String = noon,
        notes: String? = "Reviewed", ceiling: String? = nil,
        actorKind: String = "platform_admin", extra: [String] = []
    ) -> String {
        var fields = [
            #""event_id":"\#(id)""#, #""type":"decision.recorded""#, #""tenant_id":"\#(tenant)""#,
            #""occurred_at":"\#(at)""#, #""actor":{"kind":"\#(actorKind)","id":"admin-1"}"#, #""action":"\#(action)""#,
        ]
        if let notes { fields.append(#""review_notes":\#(quoted(notes))"#) }
        if let ceiling { fields.append(#""ceiling":\#(ceiling)"#) }
        return "{" + (fields + extra).joined(separator: ",") + "}"
    }

    /// A money path's word on how an attempt ended: `settled` or `failed`.
    public static func resolution(
        _ id: String, tenant: String, attempt: String, resolution: String = "failed",
        at: String = noon
    ) -> String {
        """
        {"event_id":"\(id)","type":"transaction.resolved","tenant_id":"\(tenant)","occurred_at":"\(at)",
         "actor":{"kind":"api_key","id":"key-1"},"attempt_id":"\(attempt)","resolution":"\(resolution)"}
        """
    }

    public static func attempt(
        _ id: String, tenant: String, amount: String, at: String = noon,
        environment: String = "live", currency: String = "USD"
    ) -> String {
        """
        {"event_id":"\(id)","type":"transaction.attempted","tenant_id":"\(tenant)","occurred_at":"\(at)",
         "actor":{"kind":"api_key","id":"key-1"},"environment":"\(environment)","rail":"x402",
         "amount":"\(amount)","currency":"\(currency)","agent_id":"agent-5"}
        """
    }

    public static func record(
        _ json: String, topic: String? = nil, key: String? = nil,
        timestamp: String? = nil, source: InputRecord.TimestampSource = .broker
    ) -> InputRecord {
        let value = Array(json.utf8)
        let parsed = try? JSONParser.parse(value)
        let type = parsed?["type"]?.stringValue.flatMap(EventType.init(rawValue:))
        let at = timestamp ?? parsed?["occurred_at"]?.stringValue ?? noon
        return InputRecord(
            topic: topic ?? type?.topic ?? Topics.transactionAttempt, partition: 0, offset: 0,
            key: (key ?? parsed?["tenant_id"]?.stringValue).map { Array($0.utf8) }, value: value,
            timestamp: RFC3339.parse(at) ?? UTCInstant(millis: 0), timestampSource: source)
    }

    /// Decodes a record built by the functions above; traps if it cannot be addressed (a broken fixture).
    public static func event(_ json: String, timestamp: String? = nil, rules: Rules = .standard) -> InputEvent {
        switch InputDecoder.decode(record(json, timestamp: timestamp), rules: rules) {
        case let .event(event): return event
        case let .deadLetter(reason): fatalError("fixture is not addressable: \(reason.error)")
        }
    }

    static func quoted(_ s: String) -> String { JSONWriter.string(.string(s)) }

    /// The value of the outputs on `topic`, parsed.
    public static func values(_ outputs: [OutputRecord], topic: String) -> [JSONValue] {
        outputs.filter { $0.topic == topic }.compactMap { try? JSONParser.parse($0.value) }
    }
}
