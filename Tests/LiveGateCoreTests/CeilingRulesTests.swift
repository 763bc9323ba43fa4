import LiveGateCore
import LiveGateTestSupport
import Testing

@Suite("Beta ceilings and the decision order")
struct CeilingRulesTests {
    static let defaults = CeilingOverride.none.effective(defaults: .betaDefaults)

    func attempt(_ amount: String, environment: String = "live") -> Attempt {
        guard
            case let .attempt(a) = Fixtures.event(
                Fixtures.attempt(
                    "x", tenant: "t", amount: amount,
                    environment: environment)
            ).body
        else { fatalError() }
        return a
    }

    func decide(
        _ amount: String, used day: Int64 = 0, month: Int64 = 0, state: AccessState = .productionApproved,
        ceiling: EffectiveCeiling = defaults, environment: String = "live"
    ) -> AttemptDecision {
        CeilingRules.decide(
            attempt(amount, environment: environment), state: state, ceiling: ceiling,
            usedToday: Micros(day), usedThisMonth: Micros(month))
    }

    @Test("per transaction: $100 exactly is allowed, one micro-dollar more is not")
    func perTx() {
        #expect(decide("100").allowed)
        let over = decide("100.000001")
        #expect(!over.allowed)
        #expect(over.reason == "exceeds_tenant_beta_ceiling_per_tx")
        #expect(over.status == 403 && over.code == "LIMIT_EXCEEDED")
        #expect(over.report?.limit == .dollars(100))
    }

    @Test("daily: reaching $500 exactly is allowed, one micro-dollar more is not")
    func daily() {
        let exact = decide("50", used: 450_000_000, month: 450_000_000)
        #expect(exact.allowed && exact.books)
        #expect(exact.report?.name == .daily && exact.report?.remaining == .zero)
        let over = decide("50.000001", used: 450_000_000, month: 450_000_000)
        #expect(over.reason == "exceeds_tenant_beta_ceiling_daily")
        #expect(over.report?.used == Micros(450_000_000))
        #expect(over.report?.remaining == Micros(50_000_000))
        #expect(over.report?.window?.startInstant.description == "2026-11-29T00:00:00.000Z")
        #expect(over.report?.window?.resetsAt.description == "2026-11-30T00:00:00.000Z")
    }

    @Test("monthly: reaching $2,000 exactly is allowed, one micro-dollar more is not")
    func monthly() {
        let exact = decide("100", used: 0, month: 1_900_000_000)
        #expect(exact.allowed)
        #expect(exact.report?.name == .monthly && exact.report?.remaining == .zero)
        let over = decide("100.000001", used: 0, month: 1_900_000_000)
        #expect(over.reason == "exceeds_tenant_beta_ceiling_per_tx")
        let overMonth = decide("0.000001", used: 0, month: 2_000_000_000)
        #expect(overMonth.reason == "exceeds_tenant_beta_ceiling_monthly")
        #expect(overMonth.report?.window?.startInstant.description == "2026-11-01T00:00:00.000Z")
        #expect(overMonth.report?.window?.resetsAt.description == "2026-12-01T00:00:00.000Z")
    }

    @Test("an allowed attempt reports the tightest window after booking")
    func tightest() {
        let dayTight = decide("10", used: 400_000_000, month: 400_000_000)
        #expect(dayTight.report?.name == .daily && dayTight.report?.used == Micros(410_000_000))
        let monthTight = decide("10", used: 0, month: 1_800_000_000)
        #expect(monthTight.report?.name == .monthly && monthTight.report?.remaining == .dollars(190))
    }

    @Test("order: invalid, test environment, not approved, disabled, limits")
    func order() {
        #expect(decide("abc").status == 400)
        #expect(decide("5000", state: .sandboxOnly, environment: "test").allowed)
        #expect(!decide("5000", state: .sandboxOnly, environment: "test").books)
        for state in AccessState.allCases where state != .productionApproved {
            #expect(decide("1", state: state).reason == "live_access_not_approved")
        }
        let disabled = CeilingOverride(disabled: true).effective(defaults: .betaDefaults)
        let big = decide("999999", used: 999_000_000_000, ceiling: disabled)
        #expect(big.allowed && big.books, "a disabled ceiling still meters (v1.1)")
        #expect(disabled.source == .override)
    }

    @Test("overrides replace only the limits they name")
    func overrides() {
        let ceiling = CeilingOverride(perTx: .dollars(250)).effective(defaults: .betaDefaults)
        #expect(ceiling.limits == CeilingLimits(perTx: .dollars(250), daily: .dollars(500), monthly: .dollars(2000)))
        #expect(decide("250", ceiling: ceiling).allowed)
        #expect(decide("250.01", ceiling: ceiling).reason == "exceeds_tenant_beta_ceiling_per_tx")
        #expect(Self.defaults.source == .platformDefault)
    }

    @Test("a limit lowered below usage reports zero headroom, never negative")
    func lowered() {
        let ceiling = CeilingOverride(daily: .dollars(100)).effective(defaults: .betaDefaults)
        let d = decide("1", used: 300_000_000, month: 300_000_000, ceiling: ceiling)
        #expect(d.reason == "exceeds_tenant_beta_ceiling_daily" && d.report?.remaining == .zero)
    }
}
