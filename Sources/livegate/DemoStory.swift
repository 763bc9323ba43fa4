import Foundation
import LiveGateCore
import LiveGateStore

/// The short story `livegate dev --demo` publishes: a declaration (with its suggested ceiling) waiting in the
/// review queue, an approval, attempts that pass, warn at 80 % and hit each ceiling, an agent retrying with the
/// `max_amount_now` its denial gave, a failed payment whose headroom comes back, an admin simulating a raise
/// before making it, an override that expires, the month's ceiling, and a suspension. Signed (the default), it also shows a forged
/// approval and a forged release being refused. Each step is published only after the
/// previous one was answered, as the real actors would.
struct DemoStory {
    struct Step {
        let caption: String
        let events: [(id: String, type: EventType, json: JSONValue)]
        /// Print the review queue after this step's answers (the declaration waits there for the admin).
        var showsQueue = false
        /// The agent's retry: an attempt with this event id for the `max_amount_now` that the verdict of the
        /// attempt `of` gave. The runner builds it once that verdict is in (`DemoStory.attempt`).
        var retry: (eventId: String, of: String)? = nil
        /// Print what this ceiling would have changed (`livegate simulate`) before publishing the step.
        var simulates: CeilingProposal? = nil
    }

    let tenant: String
    let now: String
    /// With an admin's key, decisions are signed, and an unsigned approval is shown being refused.
    let admin: DecisionSigningKey?
    /// With settlement's key, the failed resolution is signed, and an unsigned one is shown being refused.
    let settlement: DecisionSigningKey?

    init(tenant: String, now: Date = Date(), admin: DecisionSigningKey? = nil, settlement: DecisionSigningKey? = nil) {
        self.tenant = tenant
        self.now = WallClock.instant(of: now).description
        self.admin = admin
        self.settlement = settlement
    }

    func steps() throws -> [Step] {
        var n = 0
        func id(_ prefix: String) -> String { n += 1; return "\(tenant)-\(prefix)-\(n)" }
        func decided(
            _ action: String, notes: String? = nil, ceiling: [String: String]? = nil, expiresAt: String? = nil,
            signed: Bool = true
        ) throws -> (String, EventType, JSONValue) {
            let eventId = id("dec")
            let unsigned = decision(eventId, action, notes: notes, ceiling: ceiling, expiresAt: expiresAt)
            return (eventId, .decisionRecorded, try signed ? admin?.sign(unsigned) ?? unsigned : unsigned)
        }
        func released(_ attemptId: String, signed: Bool = true) throws -> (String, EventType, JSONValue) {
            let eventId = id("res")
            let unsigned = resolution(eventId, attempt: attemptId)
            return (eventId, .transactionResolved, try signed ? settlement?.sign(unsigned) ?? unsigned : unsigned)
        }
        func attempts(_ amounts: [String], environment: String = "live", at: String? = nil) -> [(
            String, EventType, JSONValue
        )] {
            amounts.map { amount in
                let eventId = id("att")
                return (
                    eventId, .transactionAttempted, attempt(eventId, amount, environment: environment, at: at ?? now)
                )
            }
        }
        let spending = attempts(["42.50", "150.00", "100", "100", "100", "100", "60"])
        let failedPayment = spending[2].0
        let deniedByTheDay = spending[6].0
        let declarationId = id("decl")
        let forgedApproval =
            admin == nil
            ? []
            : [
                Step(
                    caption: "Someone who can write the decision topic, without the admin's key, approves",
                    events: [try decided("approve", notes: "Trust me", signed: false)])
            ]
        // Of the payment settlement releases next, so the story's sums are the same whichever is accepted.
        let forgedRelease =
            settlement == nil
            ? []
            : [
                Step(
                    caption:
                        "A money path, without settlement's key, declares one $100 payment failed to get its headroom back",
                    events: [try released(failedPayment, signed: false)])
            ]
        return [
            Step(
                caption: "The owner asks for production access",
                events: [(declarationId, .declarationSubmitted, declaration(declarationId))], showsQueue: true)
        ] + forgedApproval + [
            Step(
                caption: "A platform admin approves" + (admin.map { ", signing with key \($0.kid)" } ?? ""),
                events: [try decided("approve", notes: "Welcome to live")]),
            Step(
                caption:
                    "Live spending within the $100 / $500 beta ceilings (a warning at 80 %, a notice at the wall), "
                    + "and test spending that never counts",
                events: spending + attempts(["1000"], environment: "test")),
            Step(
                caption: "The agent denied $60 reads max_amount_now from its verdict and retries with that amount",
                events: [], retry: (id("att"), of: deniedByTheDay)),
        ] + forgedRelease + [
            Step(
                caption: "The rail fails that $100 payment"
                    + (settlement.map { "; settlement says so, signing with key \($0.kid)" } ?? "")
                    + ": its headroom comes back",
                events: [try released(failedPayment)]),
            Step(caption: "So $100 fits again today (the 80 % warning is not sent twice)", events: attempts(["100"])),
            Step(
                caption: "Before raising the ceiling, the admin asks what $250 a payment and $3,000 a day would have "
                    + "changed so far",
                events: [],
                simulates: CeilingProposal(perTx: .set(.dollars(250)), daily: .set(.dollars(3000)))),
            Step(
                caption: "The admin raises the daily limit to $3,000 and allows $250 a payment, for one minute",
                events: [
                    try decided(
                        "set_ceiling", ceiling: ["per_tx": "250.00", "daily": "3000.00"],
                        expiresAt: later(seconds: 60))
                ]),
            Step(
                caption: "$250 now; $250 two minutes later, when the override has expired",
                events: attempts(["250"]) + attempts(["250"], at: later(seconds: 120))),
            Step(
                caption: "Spending up to the monthly ceiling, exactly, then one cent more",
                events: attempts(Array(repeating: "100", count: 12) + ["50.00", "0.01"])),
            Step(
                caption: "The admin suspends the tenant; live money stops",
                events: [try decided("suspend", notes: "Unusual volume")]),
            // A separate step: topics are not ordered with respect to each other, the suspension must land first.
            Step(caption: "A live attempt after the suspension", events: attempts(["1"])),
        ]
    }

    private func base(
        _ id: String, _ type: EventType, _ actor: [(String, JSONValue)],
        at: String? = nil
    ) -> [(key: String, value: JSONValue)] {
        [
            ("event_id", .string(id)), ("type", .string(type.rawValue)), ("tenant_id", .string(tenant)),
            ("occurred_at", .string(at ?? now)),
            ("actor", .object(actor)),
        ]
    }

    private func declaration(_ id: String) -> JSONValue {
        .object(
            base(
                id, .declarationSubmitted,
                [("kind", .string("user")), ("id", .string("owner-1")), ("role", .string("owner"))]) + [
                    (
                        "declaration",
                        .object([
                            ("intended_use_case", .string("Agents paying x402 APIs for our research product")),
                            ("expected_monthly_volume_usd", .number("1500")),
                            ("website_url", .string("https://example.com")),
                            ("accepted_terms", .bool(true)),
                        ])
                    ),
                    ("identity", .object([("email", .string("owner@example.com")), ("name", .string("Ada"))])),
                ])
    }

    /// `now` plus `seconds`, as RFC 3339.
    private func later(seconds: Int64) -> String {
        UTCInstant(millis: RFC3339.parse(now)!.millis + seconds * 1000).description
    }

    /// The money path's key as actor, as the contract's example has it: the signature, when there is one,
    /// says settlement agreed.
    private func resolution(_ id: String, attempt: String) -> JSONValue {
        .object(
            base(id, .transactionResolved, [("kind", .string("api_key")), ("id", .string("key-1"))]) + [
                ("attempt_id", .string(attempt)), ("resolution", .string("failed")),
            ])
    }

    private func decision(
        _ id: String, _ action: String, notes: String?, ceiling: [String: String]?,
        expiresAt: String?
    ) -> JSONValue {
        var fields = base(id, .decisionRecorded, [("kind", .string("platform_admin")), ("id", .string("admin-1"))])
        fields.append(("action", .string(action)))
        if let notes { fields.append(("review_notes", .string(notes))) }
        if let ceiling {
            fields.append(
                (
                    "ceiling",
                    .object(
                        ["per_tx", "daily", "monthly"].map { ($0, ceiling[$0].map(JSONValue.string) ?? .null) }
                            + [("expires_at", expiresAt.map(JSONValue.string) ?? .null)])
                ))
        }
        return .object(fields)
    }

    /// A `transaction.attempted` of the story's agent.
    func attempt(_ id: String, _ amount: String, environment: String = "live", at: String? = nil) -> JSONValue {
        .object(
            base(id, .transactionAttempted, [("kind", .string("api_key")), ("id", .string("key-1"))], at: at ?? now) + [
                ("environment", .string(environment)), ("rail", .string("x402")), ("amount", .string(amount)),
                ("currency", .string("USD")), ("agent_id", .string("agent-5")),
            ])
    }
}
