import LiveGateCore
import LiveGateTestSupport
import Testing

@Suite("Outputs are built from the inputs and stored state alone")
struct LedgerOutputTests {
    func approvedLedger() -> Ledger {
        var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])
        _ = ledger.apply(Fixtures.event(Fixtures.declaration("d1", tenant: "t")))
        _ = ledger.apply(Fixtures.event(Fixtures.decision("a1", tenant: "t", action: "approve")))
        return ledger
    }

    @Test("a verdict's event_id is read from its front as the full parse reads it, escapes and other layouts included")
    func verdictEventIdScan() throws {
        for id in ["att-1", "p 3/x", "q\"uote", "back\\slash", "ünï-€", "a/b"] {
            var ledger = approvedLedger()
            let escaped = String(JSONWriter.string(.string(id)).dropFirst().dropLast())  // the fixture writes it as is
            let outputs = ledger.apply(Fixtures.event(Fixtures.attempt(escaped, tenant: "t", amount: "1"))).outputs
            let value = try #require(outputs.first?.value)
            #expect(TransactionVerdict.eventId(in: value) == id)
            #expect(TransactionVerdict.eventId(in: value) == (try JSONParser.parse(value))["event_id"]?.stringValue)
        }
        #expect(TransactionVerdict.eventId(in: Array(#"{"outcome":"x","event_id":"z"}"#.utf8)) == "z")
        for bytes in [#"[1]"#, #"{"event_id":7}"#, #"{"event_id":"abc"#, ""] {
            #expect(TransactionVerdict.eventId(in: Array(bytes.utf8)) == nil, "\(bytes)")
        }
    }

    @Test("a transaction verdict names the input it answers by fingerprint, the first time and on a repeat")
    func verdictNamesItsInput() {
        var ledger = approvedLedger()
        let event = Fixtures.event(Fixtures.attempt("att-7", tenant: "t", amount: "1"))
        let first = ledger.apply(event).outputs
        let again = ledger.apply(event).outputs
        #expect(first.filter { $0.topic == Topics.transactionVerdict }.map(\.inputFingerprint) == [event.fingerprint])
        #expect(again.filter { $0.topic == Topics.transactionVerdict }.map(\.inputFingerprint) == [event.fingerprint])
        let decision = ledger.apply(Fixtures.event(Fixtures.decision("a2", tenant: "t", action: "suspend"))).outputs
        #expect(
            !decision.isEmpty && decision.allSatisfy { $0.inputFingerprint == nil },
            "access verdicts and statuses carry none")
    }

    @Test("an allowed live attempt: every contract field, exact text")
    func allowedVerdict() {
        var ledger = approvedLedger()
        let outcome = ledger.apply(Fixtures.event(Fixtures.attempt("att-1001", tenant: "t", amount: "42.50")))
        #expect(outcome.outputs.map(\.topic) == [Topics.transactionVerdict])
        #expect(outcome.outputs[0].key == "t")
        #expect(
            outcome.outputs[0].valueText == """
                {"event_id":"att-1001","tenant_id":"t","subject":"attempt","outcome":"allowed","status":200,"code":null,"reason":null,\
                "errors":[],"environment":"live","rail":"x402","currency":"USD","amount":"42.50","requested":"42.50",\
                "window":"daily","limit":"500.00","used":"42.50","remaining":"457.50",\
                "window_start":"2026-11-29T00:00:00.000Z","resets_at":"2026-11-30T00:00:00.000Z",\
                "max_amount_now":"100.00","retry_at":null,\
                "ceiling":{"per_tx":"100.00","daily":"500.00","monthly":"2000.00","disabled":false,\
                "source":"platform_default","expires_at":null},"decided_at":"2026-11-29T12:00:00.000Z"}
                """)
    }

    @Test("decided_at is the record timestamp, so a replay of the record yields the same bytes")
    func datedByRecord() {
        var a = approvedLedger()
        var b = approvedLedger()
        let json = Fixtures.attempt("x", tenant: "t", amount: "1")
        let first = a.apply(Fixtures.event(json, timestamp: "2026-11-29T12:01:00Z"))
        let again = b.apply(Fixtures.event(json, timestamp: "2026-11-29T12:01:00Z"))
        #expect(first == again)
        let v = Fixtures.values(first.outputs, topic: Topics.transactionVerdict)[0]
        #expect(v["decided_at"]?.stringValue == "2026-11-29T12:01:00.000Z")
    }

    @Test("an invalid attempt echoes what parsed and lists every error")
    func invalidVerdict() throws {
        var ledger = approvedLedger()
        let json = Fixtures.attempt("x", tenant: "t", amount: "1e3", currency: "EUR")
        let v = try JSONParser.parse(ledger.apply(Fixtures.event(json)).outputs[0].value)
        #expect(v["status"] == .number("400") && v["code"]?.stringValue == "INVALID_REQUEST_FORMAT")
        #expect(v["reason"]?.stringValue == "invalid_amount")
        #expect(v["amount"] == .null && v["environment"]?.stringValue == "live" && v["currency"] == .null)
        guard case let .array(errors)? = v["errors"] else { Issue.record("no errors"); return }
        #expect(errors.compactMap { $0["field"]?.stringValue } == ["amount", "currency"])
    }

    @Test("status versions count changes; notification ids derive from tenant, event, channel and audience")
    func statusAndNotifications() {
        var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])
        let declared = ledger.apply(Fixtures.event(Fixtures.declaration("d1", tenant: "t")))
        let queue = Fixtures.values(declared.outputs, topic: Topics.notification)
        #expect(queue.map { $0["notification_id"]?.stringValue } == ["t/d1/in_app/platform_admins"])
        let denied = ledger.apply(
            Fixtures.event(Fixtures.decision("n1", tenant: "t", action: "deny", notes: "No site")))
        let notices = Fixtures.values(denied.outputs, topic: Topics.notification)
        #expect(
            notices.map { $0["notification_id"]?.stringValue } == [
                "t/n1/email/tenant_owner", "t/n1/in_app/tenant_owner",
            ])
        #expect(notices.map { $0["recipient"]?.stringValue } == ["owner@example.com", "u-t"])
        #expect(notices.allSatisfy { $0["href"]?.stringValue == "/dashboard/settings/production-access" })
        let status = Fixtures.values(denied.outputs, topic: Topics.tenantStatus)[0]
        #expect(status["version"] == .number("2") && status["review_notes"]?.stringValue == "No site")
        #expect(status["live_allowed"] == .bool(false) && status["state"]?.stringValue == "production_denied")
        // A rejected event changes nothing: no status, no notification, no new version.
        let rejected = ledger.apply(Fixtures.event(Fixtures.decision("s1", tenant: "t", action: "suspend")))
        #expect(rejected.outputs.map(\.topic) == [Topics.accessVerdict])
        #expect(ledger.tenant("t").version == 2)
    }

    @Test("a duplicate republishes the stored outputs and the current status, not the old one")
    func duplicateStatus() {
        var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])
        let json = Fixtures.declaration("d1", tenant: "t")
        let first = ledger.apply(Fixtures.event(json))
        _ = ledger.apply(Fixtures.event(Fixtures.decision("a1", tenant: "t", action: "approve")))
        let again = ledger.apply(Fixtures.event(json))
        guard case .duplicate = again else { Issue.record("not a duplicate"); return }
        #expect(Array(again.outputs.prefix(2)) == Array(first.outputs.prefix(2)))
        let status = Fixtures.values(again.outputs, topic: Topics.tenantStatus)
        #expect(status.map { $0["version"] } == [.number("2")])
    }

    @Test("test-environment spend never counts toward live usage")
    func testSpend() {
        var ledger = approvedLedger()
        for i in 0..<10 {
            _ = ledger.apply(Fixtures.event(Fixtures.attempt("t\(i)", tenant: "t", amount: "100", environment: "test")))
        }
        #expect(ledger.usage.isEmpty)
        let live = ledger.apply(Fixtures.event(Fixtures.attempt("l", tenant: "t", amount: "100")))
        #expect(Fixtures.values(live.outputs, topic: Topics.transactionVerdict)[0]["used"]?.stringValue == "100.00")
    }
}
