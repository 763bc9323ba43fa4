import LiveGateCore
import LiveGateTestSupport
import PropertyBased
import Testing

@Suite("The ledger against a reference model")
struct LedgerPropertyTests {
    @Test("random event sequences: same verdicts, same threshold notices, same usage, repeats byte for byte")
    func randomSequences() async {
        let seen = Tally()
        // The stories must reach every rule, or the agreement would prove little. They are random, so a rule
        // reached by a few stories in a hundred can be missed by one round: up to three rounds before failing.
        for _ in 1...3 where !Self.unreached(seen).isEmpty {
            await Self.checkStories(count: 300, seen: seen)
        }
        for rule in Self.unreached(seen) {
            Issue.record("no story reached \(rule) in 900 stories")
        }
    }

    /// Rules every run must see decided at least once.
    static let rulesToReach = [
        "resolution 200", "resolution 404", "resolution 409", "stale_version", "ceiling_warning",
        "ceiling_reached", "invalid_request", "signature_required", "release_window_closed",
        "id of another tenant", "retry_at after daily", "retry_at after monthly", "waiting never helps",
        "nothing possible now", "verdict kept as facts",
    ]

    static func unreached(_ seen: Tally) -> [String] {
        rulesToReach.filter { seen.counts[$0, default: 0] == 0 }
    }

    /// `count` random stories through the ledger and the reference model, side by side.
    static func checkStories(count: Int, seen: Tally) async {
        await propertyCheck(count: count, input: Gen.uint16(in: 0...UInt16.max).array(of: 1...80)) { codes in
            var ledger = Ledger(rules: RandomStory.rules, tenants: [:], usage: [:], processed: [:])
            var model = ReferenceModel()
            var firstBytes: [String: [UInt8]] = [:]
            for step in RandomStory.steps(codes) {
                let event = Fixtures.event(step.json, rules: RandomStory.rules)
                let outcome = ledger.apply(event)
                let value = try JSONParser.parse(Array(step.json.utf8))
                let reused = model.seen.keys.contains {
                    $0.hasSuffix("|\(step.eventId)") && !$0.hasPrefix("\(step.tenantId)|")
                }
                let expected = model.apply(eventId: step.eventId, tenant: step.tenantId, json: step.json, value: value)
                #expect(try Self.summary(outcome) == expected, "\(step.json)")
                seen.count(expected)
                if reused, expected.kind == "applied" { seen.counts["id of another tenant", default: 0] += 1 }
                guard let verdict = outcome.outputs.first?.value else { continue }
                if case .applied = outcome, let stored = ledger.newEvents.last, stored.type == .transactionAttempted {
                    try Self.checkKept(stored, verdict: verdict, seen: seen)
                }
                let key = "\(step.tenantId)|\(step.eventId)"
                if case .duplicate = outcome { #expect(firstBytes[key] == verdict) } else { firstBytes[key] = verdict }
            }
            var usage: [String: Int64] = [:]
            for (key, used) in ledger.usage where used > .zero {
                let start = key.window.start.description
                usage["\(key.tenantId)|\(key.window.kind == .day ? start : String(start.prefix(7)))"] = used.value
            }
            #expect(usage == model.usage.filter { $0.value > 0 })
        }
    }

    /// An attempt's verdict is kept as facts unless it has field errors (issue 23), and its facts rebuild the
    /// bytes it was published with. (The stories' attempts are well formed; `VerdictStorageTests` keeps a 400.)
    static func checkKept(_ stored: StoredEvent, verdict: [UInt8], seen: Tally) throws {
        guard case let .array(errors)? = try JSONParser.parse(verdict)["errors"] else {
            Issue.record("a verdict without errors: \(String(decoding: verdict, as: UTF8.self))")
            return
        }
        #expect((stored.verdictFacts == nil) == !errors.isEmpty, "\(String(decoding: verdict, as: UTF8.self))")
        if let facts = stored.verdictFacts {
            #expect(facts.bytes(eventId: stored.eventId, tenantId: stored.tenantId) == verdict)
        }
        if stored.verdictFacts != nil { seen.counts["verdict kept as facts", default: 0] += 1 }
    }

    /// How often each rule decided, over every generated story.
    final class Tally: @unchecked Sendable {  // used from one task at a time
        var counts: [String: Int] = [:]

        func count(_ e: ReferenceModel.Expected) {
            if e.outcome == "accepted" || e.outcome == "rejected", e.state == nil, let status = e.status {
                counts["resolution \(status)", default: 0] += 1
            }
            if let reason = e.reason { counts[reason, default: 0] += 1 }
            let windowDenial =
                e.reason == "exceeds_tenant_beta_ceiling_daily" || e.reason == "exceeds_tenant_beta_ceiling_monthly"
            if windowDenial {
                let kind =
                    e.retryAt == nil ? "waiting never helps" : "retry_at after \(e.reason!.split(separator: "_").last!)"
                counts[kind, default: 0] += 1
            }
            if e.maxAmountNow == 0, e.outcome == "denied" { counts["nothing possible now", default: 0] += 1 }
            for notice in e.notices { counts[String(notice.prefix { $0 != "/" }), default: 0] += 1 }
        }
    }

    static func summary(_ outcome: EventOutcome) throws -> ReferenceModel.Expected {
        let kind: String
        switch outcome {
        case .applied: kind = "applied"
        case .duplicate: kind = "duplicate"
        case .conflict: return ReferenceModel.Expected(kind: "conflict")
        case .refused: return ReferenceModel.Expected(kind: "refused")  // the pipeline's, never the ledger's
        }
        let v = try JSONParser.parse(outcome.outputs[0].value)
        let status = v["status"].flatMap { if case let .number(n) = $0 { return Int(n) } else { return nil } }
        let notices = Fixtures.values(outcome.outputs, topic: Topics.notification).compactMap { n -> String? in
            guard let template = n["template"]?.stringValue, template.hasPrefix("ceiling_") else { return nil }
            return "\(template)/\(n["data"]?["window"]?.stringValue ?? "?")/\(n["audience"]?.stringValue ?? "?")/"
                + (n["channel"]?.stringValue ?? "?")
        }
        return ReferenceModel.Expected(
            kind: kind, outcome: v["outcome"]?.stringValue, status: status,
            reason: v["reason"]?.stringValue, state: v["state"]?.stringValue,
            notices: notices.sorted(), maxAmountNow: v["max_amount_now"]?.stringValue.map(ReferenceModel.micros),
            retryAt: v["retry_at"]?.stringValue)
    }
}
