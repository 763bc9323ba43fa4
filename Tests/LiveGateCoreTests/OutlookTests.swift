import LiveGateCore
import LiveGateTestSupport
import Testing

/// Contract v1.2, "Verdicts say what is possible now": `max_amount_now` and `retry_at` at each boundary the
/// contract lists. Amounts in whole dollars unless a test needs micro-dollars.
@Suite("Verdicts say what is possible now")
struct OutlookTests {
    static let defaults = CeilingOverride.none.effective(defaults: .betaDefaults)

    /// The decision on `amount` at `at`, with `day` and `month` dollars already used.
    func decide(
        _ amount: String, day: Int64 = 0, month: Int64 = 0, at: String = Fixtures.noon,
        state: AccessState = .productionApproved, ceiling: EffectiveCeiling = defaults, environment: String = "live"
    ) -> AttemptDecision {
        guard
            case let .attempt(attempt) = Fixtures.event(
                Fixtures.attempt("x", tenant: "t", amount: amount, at: at, environment: environment)
            ).body
        else { fatalError("not an attempt") }
        return CeilingRules.decide(
            attempt, state: state, ceiling: ceiling, usedToday: .dollars(day), usedThisMonth: .dollars(month))
    }

    static func ceiling(perTx: Int64? = nil, daily: Int64? = nil, monthly: Int64? = nil) -> EffectiveCeiling {
        CeilingOverride(
            perTx: perTx.map(Micros.dollars), daily: daily.map(Micros.dollars), monthly: monthly.map(Micros.dollars)
        )
        .effective(defaults: .betaDefaults)
    }

    @Test("allowed: what is left after the attempt's own amount is booked; no retry_at")
    func allowed() {
        #expect(decide("42.50").maxAmountNow == .dollars(100), "fresh windows: the per-transaction limit")
        let dayBound = decide("60", day: 400, month: 400)
        #expect(dayBound.allowed && dayBound.maxAmountNow == .dollars(40) && dayBound.retryAt == nil)
        let monthBound = decide("10", day: 0, month: 1960)
        #expect(monthBound.allowed && monthBound.maxAmountNow == .dollars(30))
        let exhausted = decide("50", day: 450, month: 450)
        #expect(exhausted.allowed && exhausted.maxAmountNow == .zero, "the day is used up by this very attempt")
        #expect(decide("0.000001", day: 0, month: 1900).maxAmountNow == Micros(99_999_999))
    }

    @Test("daily window short: what the day still allows, and the next UTC midnight")
    func dailyShort() {
        let d = decide("60", day: 450, month: 450)
        #expect(d.reason == "exceeds_tenant_beta_ceiling_daily")
        #expect(d.maxAmountNow == .dollars(50), "a denial books nothing")
        #expect(d.retryAt?.description == "2026-11-30T00:00:00.000Z")
        // On the last day of a month the day's reset is the month's: one instant.
        let lastDay = decide("60", day: 450, month: 450, at: "2026-11-30T23:59:59Z")
        #expect(lastDay.retryAt?.description == "2026-12-01T00:00:00.000Z")
    }

    @Test("monthly window short: the first of the next month, across a year end too")
    func monthlyShort() {
        let d = decide("60", day: 0, month: 1950)
        #expect(d.reason == "exceeds_tenant_beta_ceiling_monthly")
        #expect(d.maxAmountNow == .dollars(50) && d.retryAt?.description == "2026-12-01T00:00:00.000Z")
        let december = decide("60", day: 0, month: 1950, at: "2026-12-31T23:00:00Z")
        #expect(december.retryAt?.description == "2027-01-01T00:00:00.000Z")
    }

    @Test("both windows short: the daily reason, and the month's reset, which also resets the day")
    func bothShort() {
        let d = decide("60", day: 450, month: 1990)
        #expect(d.reason == "exceeds_tenant_beta_ceiling_daily")
        #expect(d.maxAmountNow == .dollars(10))
        #expect(
            d.retryAt?.description == "2026-12-01T00:00:00.000Z", "after the next midnight the month is still short")
    }

    @Test("over the per-transaction limit: waiting never helps, so no retry_at; max_amount_now still says what fits")
    func perTx() {
        let d = decide("150", day: 480, month: 480)
        #expect(d.reason == "exceeds_tenant_beta_ceiling_per_tx")
        #expect(d.retryAt == nil && d.maxAmountNow == .dollars(20))
        #expect(decide("100.000001").maxAmountNow == .dollars(100))
    }

    @Test("over a window's limit on its own: no retry_at, whichever window denied it")
    func overAWindowOnItsOwn() {
        let wideTx = Self.ceiling(perTx: 1000)
        let overDay = decide("600", ceiling: wideTx)
        #expect(overDay.reason == "exceeds_tenant_beta_ceiling_daily" && overDay.retryAt == nil)
        let smallMonth = Self.ceiling(perTx: 400, monthly: 300)
        let overMonth = decide("350", ceiling: smallMonth)
        #expect(overMonth.reason == "exceeds_tenant_beta_ceiling_monthly" && overMonth.retryAt == nil)
        // Denied by the day, but the month's limit alone is too small for it: no reset would let it through.
        let dayDeniedMonthTooSmall = decide("350", day: 200, month: 200, ceiling: smallMonth)
        #expect(dayDeniedMonthTooSmall.reason == "exceeds_tenant_beta_ceiling_daily")
        #expect(dayDeniedMonthTooSmall.retryAt == nil && dayDeniedMonthTooSmall.maxAmountNow == .dollars(100))
        // Exactly a window's limit fits an empty window: waiting helps.
        let exact = decide("500", day: 1, month: 1, ceiling: Self.ceiling(perTx: 500))
        #expect(exact.reason == "exceeds_tenant_beta_ceiling_daily")
        #expect(exact.retryAt?.description == "2026-11-30T00:00:00.000Z")
    }

    @Test("a limit lowered below usage: max_amount_now is zero, never negative")
    func lowered() {
        let d = decide("1", day: 300, month: 300, ceiling: Self.ceiling(daily: 100))
        #expect(d.maxAmountNow == .zero && d.retryAt?.description == "2026-11-30T00:00:00.000Z")
    }

    @Test("not approved: max_amount_now is zero in every other state, disabled ceiling or not; no retry_at")
    func notApproved() {
        let disabled = CeilingOverride(disabled: true).effective(defaults: .betaDefaults)
        for state in AccessState.allCases where state != .productionApproved {
            for ceiling in [Self.defaults, disabled] {
                let d = decide("1", state: state, ceiling: ceiling)
                #expect(d.reason == "live_access_not_approved" && d.maxAmountNow == .zero && d.retryAt == nil)
            }
        }
    }

    @Test("test environment, disabled ceiling and 400 verdicts: both null")
    func notApplicable() {
        let disabled = CeilingOverride(disabled: true).effective(defaults: .betaDefaults)
        let cases = [
            decide("5000", state: .sandboxOnly, environment: "test"), decide("50", environment: "test"),
            decide("999999", day: 999_000, month: 999_000, ceiling: disabled), decide("abc"), decide("0"),
        ]
        for d in cases { #expect(d.maxAmountNow == nil && d.retryAt == nil, "\(d)") }
        var story = Story.approved()
        let skewed = story.ledger.apply(
            Fixtures.event(Fixtures.attempt("s", tenant: "t", amount: "1"), timestamp: "2026-11-29T12:10:00Z"))
        let v = Fixtures.values(skewed.outputs, topic: Topics.transactionVerdict)[0]
        #expect(v["reason"]?.text == "occurred_at_skew" && v["max_amount_now"] == .null && v["retry_at"] == .null)
    }

    @Test("an expired override: the platform default decides max_amount_now and retry_at")
    func expiredOverride() {
        var s = Story.approved()
        s.apply(
            Fixtures.decision(
                "c", tenant: "t", action: "set_ceiling", notes: nil,
                ceiling: #"{"daily":"60","expires_at":"2026-11-30T00:00:00Z"}"#))
        let before = s.verdict(Fixtures.attempt("x1", tenant: "t", amount: "10"))
        #expect(before["max_amount_now"]?.text == "50.00", "the override's $60 day, $10 of it used")
        let denied = s.verdict(Fixtures.attempt("x2", tenant: "t", amount: "70"))
        #expect(denied["reason"]?.text == "exceeds_tenant_beta_ceiling_daily" && denied["retry_at"] == .null)
        let after = s.verdict(Fixtures.attempt("x3", tenant: "t", amount: "70", at: "2026-11-30T01:00:00Z"))
        #expect(after["outcome"]?.text == "allowed" && after["ceiling"]?["source"]?.text == "platform_default")
        #expect(after["max_amount_now"]?.text == "100.00" && after["retry_at"] == .null)
    }

    @Test("the fields are in every attempt verdict, as decimal strings and UTC instants; resolutions carry neither")
    func onTheWire() throws {
        var s = Story.approved()
        for i in 1...4 { s.apply(Fixtures.attempt("x\(i)", tenant: "t", amount: "100")) }
        let allowed = s.verdict(Fixtures.attempt("x5", tenant: "t", amount: "60"))
        #expect(allowed["max_amount_now"]?.text == "40.00" && allowed["retry_at"] == .null)
        let denied = s.verdict(Fixtures.attempt("x6", tenant: "t", amount: "60"))
        #expect(denied["max_amount_now"]?.text == "40.00")
        #expect(denied["retry_at"]?.text == "2026-11-30T00:00:00.000Z")
        let released = s.verdict(Fixtures.resolution("r1", tenant: "t", attempt: "x1", resolution: "settled"))
        guard case let .object(members) = released else { Issue.record("not an object"); return }
        #expect(!members.contains { $0.key == "max_amount_now" || $0.key == "retry_at" })
    }

    @Test("a verdict stored before v1.2, without the fields, comes back without them, byte for byte")
    func storedBeforeKeepsItsBytes() throws {
        let json = Fixtures.attempt("old", tenant: "t", amount: "42.50")
        let event = Fixtures.event(json)
        // Its verdict as a v1.1 worker stored it: no max_amount_now, no retry_at.
        let old = Array(
            """
            {"event_id":"old","tenant_id":"t","subject":"attempt","outcome":"allowed","status":200,"code":null,\
            "reason":null,"errors":[],"environment":"live","rail":"x402","currency":"USD","amount":"42.50",\
            "requested":"42.50","window":"daily","limit":"500.00","used":"42.50","remaining":"457.50",\
            "window_start":"2026-11-29T00:00:00.000Z","resets_at":"2026-11-30T00:00:00.000Z",\
            "ceiling":{"per_tx":"100.00","daily":"500.00","monthly":"2000.00","disabled":false,\
            "source":"platform_default","expires_at":null},"decided_at":"2026-11-29T12:00:00.000Z"}
            """.utf8)
        let stored = StoredEvent(
            eventId: "old", tenantId: "t", type: .transactionAttempted, fingerprint: event.fingerprint,
            outputs: [OutputRecord(topic: Topics.transactionVerdict, key: "t", value: old)], changedTenant: false,
            bookedAmount: Micros(42_500_000), bookedDay: RFC3339.parse(Fixtures.noon)!.date)
        let approved = Story.approved().ledger
        var ledger = Ledger(
            rules: .standard, tenants: approved.tenants, usage: approved.usage,
            processed: [EventKey(tenantId: "t", eventId: "old"): stored])
        let again = ledger.apply(event)
        guard case .duplicate = again else { Issue.record("not a duplicate: \(again)"); return }
        #expect(again.outputs.first?.value == old)
        #expect(!(again.outputs.first?.valueText.contains("max_amount_now") ?? true))
    }
}
