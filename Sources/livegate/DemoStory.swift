import Foundation
import LiveGateCore

/// The short story `livegate dev --demo` publishes: a declaration, an approval, attempts that pass and that
/// hit each ceiling (the month after an admin raises the daily limit), and a suspension. Each step is
/// published only after the previous one was answered, as the real actors would.
struct DemoStory {
    struct Step {
        let caption: String
        let events: [(id: String, type: EventType, json: JSONValue)]
    }

    let tenant: String
    let now: String
    /// With a signer, decisions are signed, and the story starts with an unsigned one being refused.
    let signer: DecisionSigningKey?

    init(tenant: String, now: Date = Date(), signer: DecisionSigningKey? = nil) {
        self.tenant = tenant
        self.now = UTCInstant(millis: Int64(now.timeIntervalSince1970 * 1000)).description
        self.signer = signer
    }

    func steps() throws -> [Step] {
        var n = 0
        func id(_ prefix: String) -> String { n += 1; return "\(tenant)-\(prefix)-\(n)" }
        func decided(_ action: String, notes: String? = nil, ceiling: [String: String]? = nil,
                     signed: Bool = true) throws -> (String, EventType, JSONValue) {
            let eventId = id("dec")
            let unsigned = decision(eventId, action, notes: notes, ceiling: ceiling)
            return (eventId, .decisionRecorded, try signed ? signer?.sign(unsigned) ?? unsigned : unsigned)
        }
        func attempts(_ amounts: [String], environment: String = "live") -> [(String, EventType, JSONValue)] {
            amounts.map { amount in
                let eventId = id("att")
                return (eventId, .transactionAttempted, attempt(eventId, amount, environment: environment))
            }
        }
        let declarationId = id("decl")
        let forged = signer == nil ? [] : [
            Step(caption: "Someone who can write the decision topic, without the admin's key, approves",
                 events: [try decided("approve", notes: "Trust me", signed: false)]),
        ]
        return [
            Step(caption: "The owner asks for production access",
                 events: [(declarationId, .declarationSubmitted, declaration(declarationId))]),
        ] + forged + [
            Step(caption: "A platform admin approves" + (signer == nil ? "" : ", signing with key \(signer!.kid)"),
                 events: [try decided("approve", notes: "Welcome to live")]),
            Step(caption: "Live spending within the $100 / $500 beta ceilings, and test spending that never counts",
                 events: attempts(["42.50", "150.00", "100", "100", "100", "100", "60"]) + attempts(["1000"], environment: "test")),
            Step(caption: "The admin raises the daily limit to $3,000; the month's $2,000 still holds",
                 events: [try decided("set_ceiling", ceiling: ["daily": "3000.00"])]),
            Step(caption: "Spending up to the monthly ceiling, exactly, then one cent more",
                 events: attempts(Array(repeating: "100", count: 15) + ["57.50", "0.01"])),
            Step(caption: "The admin suspends the tenant; live money stops",
                 events: [try decided("suspend", notes: "Unusual volume")]),
            // A separate step: topics are not ordered with respect to each other, the suspension must land first.
            Step(caption: "A live attempt after the suspension", events: attempts(["1"])),
        ]
    }

    private func base(_ id: String, _ type: EventType, _ actor: [(String, JSONValue)]) -> [(key: String, value: JSONValue)] {
        [("event_id", .string(id)), ("type", .string(type.rawValue)), ("tenant_id", .string(tenant)), ("occurred_at", .string(now)),
         ("actor", .object(actor))]
    }

    private func declaration(_ id: String) -> JSONValue {
        .object(base(id, .declarationSubmitted, [("kind", .string("user")), ("id", .string("owner-1")), ("role", .string("owner"))]) + [
            ("declaration", .object([
                ("intended_use_case", .string("Agents paying x402 APIs for our research product")),
                ("expected_monthly_volume_usd", .number("1500")), ("website_url", .string("https://example.com")),
                ("accepted_terms", .bool(true)),
            ])),
            ("identity", .object([("email", .string("owner@example.com")), ("name", .string("Ada"))])),
        ])
    }

    private func decision(_ id: String, _ action: String, notes: String?, ceiling: [String: String]?) -> JSONValue {
        var fields = base(id, .decisionRecorded, [("kind", .string("platform_admin")), ("id", .string("admin-1"))])
        fields.append(("action", .string(action)))
        if let notes { fields.append(("review_notes", .string(notes))) }
        if let ceiling {
            fields.append(("ceiling", .object(["per_tx", "daily", "monthly"].map { ($0, ceiling[$0].map(JSONValue.string) ?? .null) })))
        }
        return .object(fields)
    }

    private func attempt(_ id: String, _ amount: String, environment: String) -> JSONValue {
        .object(base(id, .transactionAttempted, [("kind", .string("api_key")), ("id", .string("key-1"))]) + [
            ("environment", .string(environment)), ("rail", .string("x402")), ("amount", .string(amount)),
            ("currency", .string("USD")), ("agent_id", .string("agent-5")),
        ])
    }
}
