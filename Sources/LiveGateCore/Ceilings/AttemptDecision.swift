/// Which limit a transaction verdict's `limit`/`used`/`remaining` fields describe.
public struct WindowReport: Sendable, Equatable {
    public enum Name: String, Sendable { case perTx = "per_tx", daily, monthly }

    public let name: Name
    public let limit: Micros
    /// Usage of the window: before the attempt when it was denied, after it when it was allowed.
    public let used: Micros?
    public let remaining: Micros?
    /// `nil` for the per-transaction limit, which has no window.
    public let window: UsageWindow?
}

/// The answer to one attempt, before it is written down.
public struct AttemptDecision: Sendable, Equatable {
    public let allowed: Bool
    public let status: Int
    public let code: String?
    public let reason: String?
    public let errors: [FieldError]
    public let report: WindowReport?
    /// Whether the amount is added to the day and month usage.
    public let books: Bool
    /// `max_amount_now` (contract v1.2): what an attempt at the same instant could still be allowed once this
    /// one took effect; zero for a tenant that is not approved; nil for the test environment, a disabled
    /// ceiling and a 400.
    public internal(set) var maxAmountNow: Micros? = nil
    /// `retry_at` (contract v1.2): for a day or month denial that waiting can cure, the reset after which the
    /// same amount fits both windows; nil for every other verdict.
    public internal(set) var retryAt: UTCInstant? = nil

    static func denied(_ rejection: Rejection) -> AttemptDecision {
        AttemptDecision(
            allowed: false, status: rejection.status, code: rejection.code, reason: rejection.reason,
            errors: rejection.errors, report: nil, books: false)
    }

    /// Test environment: allowed, never counted toward live usage.
    static let allowedUnmetered = AttemptDecision(
        allowed: true, status: 200, code: nil, reason: nil, errors: [],
        report: nil, books: false)
    /// Ceiling disabled: allowed, and still counted (contract v1.1, "Disabled ceilings still meter").
    static let allowedMetered = AttemptDecision(
        allowed: true, status: 200, code: nil, reason: nil, errors: [],
        report: nil, books: true)
}

/// The contract's decision order for `transaction.attempted`, steps 1 to 8.
public enum CeilingRules {
    public static func decide(
        _ attempt: Attempt, state: AccessState, ceiling: EffectiveCeiling,
        usedToday: Micros, usedThisMonth: Micros
    ) -> AttemptDecision {
        if let rejection = attempt.rejection { return .denied(rejection) }
        guard let amount = attempt.amount, let occurredAt = attempt.occurredAt else {
            preconditionFailure("an attempt without a rejection has an amount and a time")
        }
        if attempt.environment == .test { return .allowedUnmetered }
        guard state == .productionApproved else {
            var denied = AttemptDecision.denied(.forbidden("live_access_not_approved"))
            denied.maxAmountNow = .zero  // no live amount is possible until an admin approves
            return denied
        }
        if ceiling.disabled { return .allowedMetered }
        let limits = ceiling.limits
        var decision = enforce(amount, limits, usedToday: usedToday, usedThisMonth: usedThisMonth, at: occurredAt)
        // "After this verdict took effect": an allowed attempt's own amount is booked by then.
        let booked = decision.books ? amount : .zero
        decision.maxAmountNow = Outlook.maxAmountNow(
            limits, usedToday: usedToday + booked, usedThisMonth: usedThisMonth + booked)
        if !decision.allowed, let window = decision.report?.name, window != .perTx {
            decision.retryAt = Outlook.retryAt(amount, limits, usedThisMonth: usedThisMonth, at: occurredAt)
        }
        return decision
    }

    /// Steps 5 to 8 for an approved tenant under an enabled ceiling.
    private static func enforce(
        _ amount: Micros, _ limits: CeilingLimits, usedToday: Micros, usedThisMonth: Micros, at occurredAt: UTCInstant
    ) -> AttemptDecision {
        if amount > limits.perTx {
            return limitExceeded(
                "exceeds_tenant_beta_ceiling_per_tx",
                WindowReport(name: .perTx, limit: limits.perTx, used: nil, remaining: nil, window: nil))
        }
        let day = WindowReport(
            name: .daily, limit: limits.daily, used: usedToday,
            remaining: headroom(limits.daily, usedToday), window: .day(containing: occurredAt))
        if usedToday + amount > limits.daily { return limitExceeded("exceeds_tenant_beta_ceiling_daily", day) }
        let month = WindowReport(
            name: .monthly, limit: limits.monthly, used: usedThisMonth,
            remaining: headroom(limits.monthly, usedThisMonth), window: .month(containing: occurredAt))
        if usedThisMonth + amount > limits.monthly {
            return limitExceeded("exceeds_tenant_beta_ceiling_monthly", month)
        }
        let dayAfter = after(day, amount)
        let monthAfter = after(month, amount)
        let tightest = monthAfter.remaining! < dayAfter.remaining! ? monthAfter : dayAfter
        return AttemptDecision(
            allowed: true, status: 200, code: nil, reason: nil, errors: [], report: tightest,
            books: true)
    }

    private static func limitExceeded(_ reason: String, _ report: WindowReport) -> AttemptDecision {
        AttemptDecision(
            allowed: false, status: 403, code: "LIMIT_EXCEEDED", reason: reason, errors: [],
            report: report, books: false)
    }

    /// Never negative: an admin may lower a limit below what was already used.
    private static func headroom(_ limit: Micros, _ used: Micros) -> Micros { max(.zero, limit - used) }

    private static func after(_ report: WindowReport, _ amount: Micros) -> WindowReport {
        let used = report.used! + amount
        return WindowReport(
            name: report.name, limit: report.limit, used: used,
            remaining: headroom(report.limit, used), window: report.window)
    }
}
