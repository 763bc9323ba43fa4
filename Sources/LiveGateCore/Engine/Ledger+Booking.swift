/// An attempt as the ceiling rules decided it: the decision, the ceiling in force at its `occurred_at`, and the
/// usage of its day and month before it (zero for the test environment).
struct DecidedAttempt {
    let decision: AttemptDecision
    let ceiling: EffectiveCeiling
    let usedToday: Micros
    let usedThisMonth: Micros
}

extension Ledger {
    /// Decides `attempt` for its tenant by the contract's steps (`CeilingRules`) against the ledger's usage, and
    /// books what it allows. The one place an attempt spends headroom: the workers' `applyAttempt` and the
    /// ceiling simulation (`CeilingSimulation`) both go through it, so a what-if can never follow other rules.
    mutating func decideAndBook(_ attempt: Attempt, tenantId: String) -> DecidedAttempt {
        let current = tenant(tenantId)
        let ceiling = current.ceiling(rules, at: attempt.occurredAt)
        var usedToday = Micros.zero
        var usedThisMonth = Micros.zero
        if attempt.environment == .live, let at = attempt.occurredAt {
            usedToday = usage[UsageKey(tenantId: tenantId, window: .day(containing: at))] ?? .zero
            usedThisMonth = usage[UsageKey(tenantId: tenantId, window: .month(containing: at))] ?? .zero
        }
        let decision = CeilingRules.decide(
            attempt, state: current.state, ceiling: ceiling, usedToday: usedToday, usedThisMonth: usedThisMonth)
        if decision.books, let amount = attempt.amount, let at = attempt.occurredAt {
            // A disabled ceiling still meters (contract v1.1): booked without a limit.
            let enforced = !ceiling.disabled
            book(amount, tenantId: tenantId, window: .day(containing: at), limit: enforced ? ceiling.limits.daily : nil)
            book(
                amount, tenantId: tenantId, window: .month(containing: at),
                limit: enforced ? ceiling.limits.monthly : nil)
        }
        return DecidedAttempt(
            decision: decision, ceiling: ceiling, usedToday: usedToday, usedThisMonth: usedThisMonth)
    }

    /// Gives back `amount` booked on `day`, from that day's and that month's windows (whatever the date of the
    /// resolution); returns what both gave back. Shared by `applyResolution` and the ceiling simulation.
    mutating func releaseBooking(_ amount: Micros, tenantId: String, day: CivilDate) -> Micros {
        let fromDay = release(amount, tenantId: tenantId, window: UsageWindow(kind: .day, start: day))
        let fromMonth = release(amount, tenantId: tenantId, window: UsageWindow(kind: .month, start: day.firstOfMonth))
        // Both equal the amount while the counters agree with the bookings; if one ever drifted low, the verdict
        // says what both windows gave back, and reconcile reports the difference.
        return min(fromDay, fromMonth)
    }
}
