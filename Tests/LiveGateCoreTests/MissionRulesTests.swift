import LiveGateCore
import LiveGateTestSupport
import Testing

/// Contract v1.1, rule by rule, at each boundary: resolutions, metering while disabled, threshold notices,
/// version checks, expiring overrides and the suggested ceiling.
struct Story {
    var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])

    /// A tenant approved on the platform defaults.
    static func approved(_ tenant: String = "t") -> Story {
        var story = Story()
        story.apply(Fixtures.declaration("d-\(tenant)", tenant: tenant))
        story.apply(Fixtures.decision("a-\(tenant)", tenant: tenant, action: "approve"))
        return story
    }

    @discardableResult
    mutating func apply(_ json: String) -> EventOutcome { ledger.apply(Fixtures.event(json)) }

    /// The verdict of `json`, parsed.
    mutating func verdict(_ json: String) -> JSONValue { try! JSONParser.parse(apply(json).outputs[0].value) }

    mutating func notices(_ json: String) -> [JSONValue] {
        Fixtures.values(apply(json).outputs, topic: Topics.notification)
    }

    func used(_ kind: UsageWindow.Kind, _ date: String, tenant: String = "t") -> String {
        let day = RFC3339.parse(date + "T00:00:00Z")!.date
        let window = UsageWindow(kind: kind, start: kind == .day ? day : day.firstOfMonth)
        return (ledger.usage[UsageKey(tenantId: tenant, window: window)] ?? .zero).description
    }
}

extension JSONValue {
    var text: String? { stringValue }
    var int: Int? { if case let .number(n) = self { return Int(n) } else { return nil } }
}

@Suite("transaction.resolved releases headroom")
struct ResolutionRulesTests {
    @Test("failed: the whole booked amount leaves the attempt's own day and month, whatever the resolution's date")
    func failedReleases() {
        var s = Story.approved()
        for i in 1...5 { s.apply(Fixtures.attempt("x\(i)", tenant: "t", amount: "100", at: "2026-11-30T23:59:0\(i)Z")) }
        #expect(s.used(.day, "2026-11-30") == "500.00")
        let v = s.verdict(Fixtures.resolution("r1", tenant: "t", attempt: "x1", at: "2026-12-01T00:00:05Z"))
        #expect(
            JSONWriter.string(v)
                == #"{"event_id":"r1","tenant_id":"t","subject":"resolution","attempt_id":"x1","resolution":"failed","outcome":"accepted","status":200,"code":null,"reason":null,"errors":[],"released":"100.00","decided_at":"2026-12-01T00:00:05.000Z"}"#
        )
        #expect(s.used(.day, "2026-11-30") == "400.00" && s.used(.month, "2026-11-30") == "400.00")
        #expect(s.used(.day, "2026-12-01") == "0.00", "nothing was booked in the resolution's own day")
        // The headroom is usable again.
        #expect(
            s.verdict(Fixtures.attempt("x6", tenant: "t", amount: "100", at: "2026-11-30T23:59:40Z"))["outcome"]
                == .string("allowed"))
    }

    @Test("settled keeps usage; attempts that booked nothing release 0; a second resolution is 409")
    func settledAndZero() {
        var s = Story.approved()
        s.apply(Fixtures.attempt("x1", tenant: "t", amount: "50"))
        s.apply(Fixtures.attempt("denied", tenant: "t", amount: "150"))
        s.apply(Fixtures.attempt("test", tenant: "t", amount: "50", environment: "test"))
        let settled = s.verdict(Fixtures.resolution("r1", tenant: "t", attempt: "x1", resolution: "settled"))
        #expect(
            settled["status"]?.int == 200 && settled["released"] == .string("0.00")
                && s.used(.day, "2026-11-29") == "50.00")
        for (id, attempt) in [("r2", "denied"), ("r3", "test")] {
            let v = s.verdict(Fixtures.resolution(id, tenant: "t", attempt: attempt))
            #expect(v["outcome"] == .string("accepted") && v["released"] == .string("0.00"))
        }
        let again = s.verdict(Fixtures.resolution("r4", tenant: "t", attempt: "x1"))
        #expect(
            again["status"]?.int == 409 && again["code"] == .string("ALREADY_RESOLVED")
                && again["reason"] == .string("already_resolved"))
        #expect(again["released"] == .null && s.used(.day, "2026-11-29") == "50.00", "nothing changes")
    }

    @Test("an unknown attempt, another tenant's, or an id that is not an attempt: 404 UNKNOWN_ATTEMPT")
    func unknown() {
        var s = Story.approved("t")
        s.apply(Fixtures.declaration("d-u", tenant: "u"))
        s.apply(Fixtures.attempt("x1", tenant: "t", amount: "50"))
        for (id, tenant, attempt) in [("r1", "t", "nope"), ("r2", "u", "x1"), ("r3", "t", "d-t")] {
            let v = s.verdict(Fixtures.resolution(id, tenant: tenant, attempt: attempt))
            #expect(
                v["status"]?.int == 404 && v["code"] == .string("UNKNOWN_ATTEMPT")
                    && v["reason"] == .string("unknown_attempt"))
        }
        #expect(s.used(.day, "2026-11-29") == "50.00")
    }

    @Test("an invalid body: 400 INVALID_REQUEST_FORMAT, every failing field listed")
    func invalid() {
        var s = Story.approved()
        let json = Fixtures.resolution("r1", tenant: "t", attempt: "x", resolution: "maybe")
            .replacingOccurrences(of: #""attempt_id":"x""#, with: #""attempt_id":5"#)
        let v = s.verdict(json)
        #expect(v["status"]?.int == 400 && v["code"] == .string("INVALID_REQUEST_FORMAT"))
        guard case let .array(errors)? = v["errors"] else { Issue.record("no errors"); return }
        #expect(Set(errors.compactMap { $0["field"]?.text }) == ["attempt_id", "resolution"])
    }

    @Test("a release never takes a window below zero")
    func neverNegative() throws {
        // A stored attempt that booked $80, in a window that holds only $30 now (corrected by hand, say).
        let s = Story.approved()
        let day = RFC3339.parse("2026-11-29T00:00:00Z")!.date
        let attempt = StoredEvent(
            eventId: "x1", tenantId: "t", type: .transactionAttempted, fingerprint: "f", outputs: [],
            changedTenant: false, bookedAmount: .dollars(80), bookedDay: day,
            occurredAt: RFC3339.parse(Fixtures.noon))
        let usage = [
            UsageKey(tenantId: "t", window: UsageWindow(kind: .day, start: day)): Micros.dollars(30),
            UsageKey(tenantId: "t", window: UsageWindow(kind: .month, start: day.firstOfMonth)): Micros.dollars(30),
        ]
        var ledger = Ledger(
            rules: .standard, tenants: s.ledger.tenants, usage: usage, processed: [attempt.key: attempt])
        let v = try JSONParser.parse(
            ledger.apply(Fixtures.event(Fixtures.resolution("r1", tenant: "t", attempt: "x1"))).outputs[0].value)
        #expect(v["released"] == .string("30.00"), "what the windows gave back, not what was booked")
        #expect(ledger.usage.values.allSatisfy { $0 == .zero })
        #expect(ledger.bookings.values.allSatisfy { $0.delta == Micros.dollars(-30) && !$0.setsLimit })
    }
}

@Suite("Disabled ceilings still meter")
struct MeteringRulesTests {
    @Test("spend while disabled is allowed and counted; once enabled again it counts toward the limits")
    func metered() {
        var s = Story.approved()
        s.apply(Fixtures.decision("c1", tenant: "t", action: "set_ceiling", notes: nil, ceiling: #"{"disabled":true}"#))
        let big = s.verdict(Fixtures.attempt("x1", tenant: "t", amount: "450"))
        #expect(big["outcome"] == .string("allowed") && big["window"] == .null)
        #expect(s.used(.day, "2026-11-29") == "450.00")
        s.apply(
            Fixtures.decision("c2", tenant: "t", action: "set_ceiling", notes: nil, ceiling: #"{"disabled":false}"#))
        #expect(
            s.verdict(Fixtures.attempt("x2", tenant: "t", amount: "60"))["reason"]
                == .string("exceeds_tenant_beta_ceiling_daily"))
        #expect(s.verdict(Fixtures.attempt("x3", tenant: "t", amount: "50"))["outcome"] == .string("allowed"))
    }
}

@Suite("Threshold notifications")
struct ThresholdRulesTests {
    @Test("80 % exactly warns, once per window, owner email and in-app; just below does not")
    func warning() {
        var s = Story.approved()
        #expect(s.notices(Fixtures.attempt("x1", tenant: "t", amount: "99.999999")).isEmpty)
        #expect(s.notices(Fixtures.attempt("x2", tenant: "t", amount: "99.999999")).isEmpty)
        #expect(s.notices(Fixtures.attempt("x3", tenant: "t", amount: "99.999999")).isEmpty)
        #expect(
            s.notices(Fixtures.attempt("x4", tenant: "t", amount: "100")).isEmpty, "399.999997 of 500 is below 80 %")
        let crossing = s.notices(Fixtures.attempt("x5", tenant: "t", amount: "0.000003"))  // exactly 400.00
        #expect(
            crossing.map { "\($0["channel"]!.text!)/\($0["audience"]!.text!)" } == [
                "email/tenant_owner", "in_app/tenant_owner",
            ])
        #expect(crossing.allSatisfy { $0["template"] == .string("ceiling_warning") })
        #expect(crossing[0]["notification_id"] == .string("t/day/2026-11-29/ceiling_warning/email/tenant_owner"))
        #expect(
            JSONWriter.string(crossing[0]["data"]!)
                == #"{"window":"daily","window_start":"2026-11-29T00:00:00.000Z","resets_at":"2026-11-30T00:00:00.000Z","limit":"500.00","used":"400.00","threshold_percent":80}"#
        )
        // A release below 80 % and a new crossing in the same window notifies nobody again.
        s.apply(Fixtures.resolution("r1", tenant: "t", attempt: "x4"))
        #expect(s.notices(Fixtures.attempt("x6", tenant: "t", amount: "100")).isEmpty)
    }

    @Test("the first denial by a window's limit: owner email and in-app, and the admins; never twice")
    func reached() {
        var s = Story.approved()
        for i in 1...5 { s.apply(Fixtures.attempt("x\(i)", tenant: "t", amount: "100")) }
        let first = s.notices(Fixtures.attempt("over1", tenant: "t", amount: "1"))
        #expect(first.map { $0["audience"]!.text! } == ["tenant_owner", "tenant_owner", "platform_admins"])
        #expect(
            first.allSatisfy {
                $0["template"] == .string("ceiling_reached") && $0["data"]?["threshold_percent"]?.int == 100
            })
        #expect(first[0]["data"]?["used"] == .string("500.00"))
        #expect(s.notices(Fixtures.attempt("over2", tenant: "t", amount: "1")).isEmpty)
        // The per-transaction limit has no window: no notice.
        #expect(s.notices(Fixtures.attempt("big", tenant: "t", amount: "150", at: "2026-11-30T12:00:00Z")).isEmpty)
    }

    @Test("monthly crossings are their own window; nothing fires while the ceiling is disabled")
    func monthlyAndDisabled() {
        var d = Story.approved()
        d.apply(
            Fixtures.decision(
                "c1", tenant: "t", action: "set_ceiling", notes: nil,
                ceiling: #"{"per_tx":"2000","daily":"2000","monthly":"1000"}"#))
        let month = d.notices(Fixtures.attempt("x1", tenant: "t", amount: "800"))
        #expect(month.map { $0["data"]?["window"]?.text } == ["monthly", "monthly"])
        #expect(month[0]["notification_id"] == .string("t/month/2026-11-01/ceiling_warning/email/tenant_owner"))
        var off = Story.approved()
        off.apply(
            Fixtures.decision("c1", tenant: "t", action: "set_ceiling", notes: nil, ceiling: #"{"disabled":true}"#))
        #expect(off.notices(Fixtures.attempt("x1", tenant: "t", amount: "600")).isEmpty)
    }
}

@Suite("Decisions: version check, expiring overrides, the suggested ceiling")
struct DecisionRulesTests {
    @Test("expected_version: equal applies; other is 409 VERSION_CONFLICT, after the body and before the transition")
    func version() {
        var s = Story()
        #expect(s.verdict(Fixtures.declaration("d1", tenant: "t"))["status"]?.int == 202)  // version 1
        let stale = s.verdict(
            Fixtures.decision("a1", tenant: "t", action: "approve", extra: [#""expected_version":0"#]))
        #expect(
            stale["status"]?.int == 409 && stale["code"] == .string("VERSION_CONFLICT")
                && stale["reason"] == .string("stale_version"))
        #expect(s.ledger.tenant("t").state == .declarationPending && s.ledger.tenant("t").version == 1)
        let bodyFirst = s.verdict(
            Fixtures.decision("a2", tenant: "t", action: "deny", notes: nil, extra: [#""expected_version":0"#]))
        #expect(bodyFirst["status"]?.int == 400, "the body is checked before the version")
        let beforeTransition = s.verdict(
            Fixtures.decision("a3", tenant: "t", action: "suspend", extra: [#""expected_version":0"#]))
        #expect(beforeTransition["code"] == .string("VERSION_CONFLICT"), "the version is checked before the transition")
        #expect(
            s.verdict(Fixtures.decision("a4", tenant: "t", action: "approve", extra: [#""expected_version":1"#]))[
                "status"]?.int == 200)
        let never = s.verdict(
            Fixtures.decision(
                "a5", tenant: "new", action: "set_ceiling", notes: nil, ceiling: #"{"per_tx":"5"}"#,
                extra: [#""expected_version":0"#]))
        #expect(never["status"]?.int == 200, "a tenant never seen is at version 0")
        for (i, bad) in ["-1", "1.5", "\"1\"", "1e300"].enumerated() {
            let v = s.verdict(
                Fixtures.decision(
                    "b\(i)", tenant: "t", action: "set_ceiling", notes: nil, ceiling: #"{}"#,
                    extra: [#""expected_version":\#(bad)"#]))
            #expect(v["status"]?.int == 400, "expected_version \(bad)")
        }
    }

    @Test("expires_at: later than occurred_at; from it on, attempts use the platform default")
    func expiry() {
        var s = Story.approved()
        let equal = s.verdict(
            Fixtures.decision(
                "c0", tenant: "t", action: "set_ceiling", notes: nil,
                ceiling: #"{"per_tx":"300","expires_at":"2026-11-29T12:00:00Z"}"#))
        #expect(equal["status"]?.int == 400, "an override that ends as it starts")
        s.apply(
            Fixtures.decision(
                "c1", tenant: "t", action: "set_ceiling", notes: nil,
                ceiling: #"{"per_tx":"300","expires_at":"2026-11-29T12:00:10Z"}"#))
        let before = s.verdict(Fixtures.attempt("x1", tenant: "t", amount: "250", at: "2026-11-29T12:00:09.999Z"))
        #expect(before["outcome"] == .string("allowed"))
        #expect(
            before["ceiling"]?["source"] == .string("override")
                && before["ceiling"]?["expires_at"] == .string("2026-11-29T12:00:10.000Z"))
        let at = s.verdict(Fixtures.attempt("x2", tenant: "t", amount: "250", at: "2026-11-29T12:00:10Z"))
        #expect(at["reason"] == .string("exceeds_tenant_beta_ceiling_per_tx"))
        #expect(at["ceiling"]?["source"] == .string("platform_default") && at["ceiling"]?["expires_at"] == .null)
        let status = Fixtures.values(
            s.apply(
                Fixtures.decision(
                    "c2", tenant: "t", action: "set_ceiling", notes: nil,
                    ceiling: #"{"daily":"50","expires_at":"2026-12-01T00:00:00Z"}"#)
            ).outputs, topic: Topics.tenantStatus)
        #expect(status.first?["ceiling"]?["expires_at"] == .string("2026-12-01T00:00:00.000Z"))
    }

    @Test(
        "the suggested ceiling, from the declared monthly volume",
        arguments: [
            ("1500", "100.00", "400.00", "1500.00"), ("100", "100.00", "150.00", "500.00"),
            ("149.01", "100.00", "150.00", "500.00"),
            ("1e9", "100.00", "500.00", "2000.00"), ("0.5", "100.00", "150.00", "500.00"),
            ("1999.99", "100.00", "500.00", "2000.00"),
            ("1e-400", "100.00", "150.00", "500.00"), ("1e400", "100.00", "500.00", "2000.00"),
        ])
    func suggested(volume: String, perTx: String, daily: String, monthly: String) {
        var s = Story()
        let json = Fixtures.declaration("d1", tenant: "t").replacingOccurrences(
            of: #""expected_monthly_volume_usd":1500"#,
            with: #""expected_monthly_volume_usd":\#(volume)"#)
        let outputs = s.apply(json).outputs
        let verdict = try! JSONParser.parse(outputs[0].value)
        #expect(
            JSONWriter.string(verdict["suggested_ceiling"]!)
                == #"{"per_tx":"\#(perTx)","daily":"\#(daily)","monthly":"\#(monthly)"}"#)
        #expect(
            Fixtures.values(outputs, topic: Topics.notification)[0]["data"]?["suggested_ceiling"]
                == verdict["suggested_ceiling"])
    }

    @Test("without a declared volume there is no suggestion; use_suggested_ceiling then means the default")
    func noSuggestion() {
        var s = Story()
        let json = Fixtures.declaration("d1", tenant: "t").replacingOccurrences(
            of: #""expected_monthly_volume_usd":1500,"#, with: "")
        #expect(s.verdict(json)["suggested_ceiling"] == .null)
        s.apply(Fixtures.decision("c0", tenant: "t", action: "set_ceiling", notes: nil, ceiling: #"{"per_tx":"5"}"#))
        #expect(
            s.verdict(
                Fixtures.decision("a1", tenant: "t", action: "approve", extra: [#""use_suggested_ceiling":true"#]))[
                    "status"]?.int == 200)
        #expect(s.ledger.tenant("t").override == .none)
    }

    @Test("use_suggested_ceiling sets it as the override; with a ceiling, or on another action, it is 400")
    func useSuggested() {
        var s = Story()
        s.apply(Fixtures.declaration("d1", tenant: "t"))
        let both = s.verdict(
            Fixtures.decision(
                "a0", tenant: "t", action: "approve", ceiling: #"{"per_tx":"5"}"#,
                extra: [#""use_suggested_ceiling":true"#]))
        #expect(both["status"]?.int == 400)
        #expect(
            s.verdict(Fixtures.decision("a1", tenant: "t", action: "deny", extra: [#""use_suggested_ceiling":true"#]))[
                "status"]?.int == 400)
        s.apply(Fixtures.decision("a2", tenant: "t", action: "approve", extra: [#""use_suggested_ceiling":true"#]))
        #expect(
            s.ledger.tenant("t").override
                == CeilingOverride(perTx: .dollars(100), daily: .dollars(400), monthly: .dollars(1500)))
        let history = s.ledger.transitions.last!
        #expect(history.ceilingBefore == CeilingOverride.none && history.ceiling == s.ledger.tenant("t").override)
        #expect(history.actorId == "admin-1" && history.notes == "Reviewed")
    }
}
