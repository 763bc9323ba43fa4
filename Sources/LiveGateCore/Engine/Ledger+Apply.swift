extension Ledger {
    mutating func applyDeclaration(_ event: InputEvent, _ checked: Checked<Declaration>) -> Applied {
        let before = tenant(event.tenantId)
        func rejected(_ status: Int, _ code: String?, _ reason: String, _ errors: [FieldError]) -> Applied {
            Applied(outputs: [
                AccessVerdict(
                    eventId: event.eventId, tenantId: event.tenantId, subject: .declaration, accepted: false,
                    status: status, code: code, reason: reason, errors: errors, previousState: before.state,
                    state: before.state, action: nil, decidedAt: event.recordTimestamp
                ).record
            ])
        }
        let declaration: Declaration
        switch checked {
        case let .rejected(r): return rejected(r.status, r.code, r.reason, r.errors)
        case let .valid(d): declaration = d
        }
        guard let next = AccessMachine.next(from: before.state, on: .declare) else {
            return rejected(403, nil, "state_does_not_allow_declaration", [])
        }
        var after = before
        after.state = next
        after.declaredAt = declaration.occurredAt
        after.reviewedAt = nil
        after.reviewNotes = nil
        after.ownerUserId = declaration.ownerUserId
        after.ownerEmail = declaration.ownerEmail
        after.ownerName = declaration.ownerName
        after.suggested = declaration.expectedVolumeDollars.map {
            CeilingOverride.suggested(volumeDollars: $0, defaults: rules.defaults)
        }
        var transition = TransitionRecord(
            tenantId: event.tenantId, eventId: event.eventId, action: AccessAction.declare.name,
            actorId: declaration.ownerUserId, fromState: before.state, toState: next, notes: nil, ceiling: nil,
            occurredAt: declaration.occurredAt)
        transition.declared = declaration.details
        commit(after, transition: transition)
        let committed = tenant(event.tenantId)
        let verdict = AccessVerdict(
            eventId: event.eventId, tenantId: event.tenantId, subject: .declaration, accepted: true, status: 202,
            code: nil, reason: nil, errors: [], previousState: before.state, state: next, action: nil,
            decidedAt: event.recordTimestamp, suggestedCeiling: committed.suggested)
        return Applied(
            outputs: [verdict.record]
                + Notifications.reviewQueue(
                    eventId: event.eventId, tenant: committed, useCase: declaration.intendedUseCase,
                    at: event.recordTimestamp),
            changedTenant: true)
    }

    mutating func applyDecision(_ event: InputEvent, _ checked: Checked<Decision>) -> Applied {
        let before = tenant(event.tenantId)
        func verdict(
            _ accepted: Bool, _ status: Int, _ code: String?, _ reason: String?, _ errors: [FieldError],
            _ state: AccessState, _ action: DecisionAction?
        ) -> OutputRecord {
            AccessVerdict(
                eventId: event.eventId, tenantId: event.tenantId, subject: .decision, accepted: accepted,
                status: status, code: code, reason: reason, errors: errors, previousState: before.state,
                state: state, action: action, decidedAt: event.recordTimestamp
            ).record
        }
        let decision: Decision
        switch checked {
        case let .rejected(r):
            return Applied(outputs: [verdict(false, r.status, r.code, r.reason, r.errors, before.state, nil)])
        case let .valid(d): decision = d
        }
        if let expected = decision.expectedVersion, expected != before.version {
            return Applied(outputs: [
                verdict(
                    false, 409, "VERSION_CONFLICT", "stale_version", [], before.state,
                    decision.action)
            ])
        }
        guard let next = AccessMachine.next(from: before.state, on: .decide(decision.action)) else {
            return Applied(outputs: [
                verdict(
                    false, 409, "INVALID_TRANSITION", "invalid_transition", [], before.state,
                    decision.action)
            ])
        }
        var after = before
        after.state = next
        if decision.action != .setCeiling {
            after.reviewedAt = decision.occurredAt
            after.reviewNotes = decision.reviewNotes
        }
        let appliesCeiling = decision.action == .approve || decision.action == .setCeiling
        if appliesCeiling, let ceiling = decision.ceiling { after.override = ceiling }
        if decision.useSuggestedCeiling { after.override = before.suggested.map(CeilingOverride.init) ?? .none }
        var transition = TransitionRecord(
            tenantId: event.tenantId, eventId: event.eventId, action: decision.action.rawValue,
            actorId: decision.adminId, fromState: before.state, toState: next, notes: decision.reviewNotes,
            ceiling: after.override, occurredAt: decision.occurredAt, signingKid: decision.signingKid)
        transition.ceilingBefore = before.override
        commit(after, transition: transition)
        let committed = tenant(event.tenantId)
        var outputs = [verdict(true, 200, nil, nil, [], next, decision.action)]
        if decision.action != .setCeiling {
            outputs += Notifications.ownerNotices(
                eventId: event.eventId, tenant: committed, from: before.state,
                ceiling: committed.ceiling(rules), at: event.recordTimestamp)
        }
        return Applied(outputs: outputs, changedTenant: true)
    }

    mutating func applyAttempt(_ event: InputEvent, _ attempt: Attempt) -> Applied {
        let current = tenant(event.tenantId)
        let decided = decideAndBook(attempt, tenantId: event.tenantId)
        let (decision, ceiling) = (decided.decision, decided.ceiling)
        let verdict = TransactionVerdict(
            eventId: event.eventId, tenantId: event.tenantId, attempt: attempt, decision: decision,
            ceiling: ceiling, decidedAt: event.recordTimestamp)
        let record = verdict.record
        var applied = Applied(outputs: [record])
        applied.verdictFacts = verdict.facts(rebuilding: record.value)
        applied.occurredAt = attempt.occurredAt
        // Steps 4 to 8 ran: a live attempt of an approved tenant, allowed or denied by a ceiling.
        if attempt.rejection == nil, attempt.environment == .live, current.state == .productionApproved {
            applied.replayAmount = attempt.amount
        }
        if decision.books, let amount = attempt.amount, let at = attempt.occurredAt {
            // No warnings while the ceiling is disabled: usage is metered, but there is no limit to warn about.
            if !ceiling.disabled {
                let windows = [
                    (UsageWindow.day(containing: at), ceiling.limits.daily, decided.usedToday),
                    (UsageWindow.month(containing: at), ceiling.limits.monthly, decided.usedThisMonth),
                ]
                for (window, limit, before) in windows
                where crossesWarning(before: before, after: before + amount, limit: limit) {
                    applied.outputs += notice(
                        .warning, event, current, window: window, limit: limit, used: before + amount)
                }
            }
            applied.bookedAmount = amount
            applied.bookedDay = at.date
        }
        if !decision.allowed, !ceiling.disabled, let report = decision.report, let window = report.window,
            let used = report.used
        {
            applied.outputs += notice(.reached, event, current, window: window, limit: report.limit, used: used)
        }
        return applied
    }

    /// Usage went from below 80 % of the limit to 80 % or more (exact: 5 × used against 4 × limit).
    func crossesWarning(before: Micros, after: Micros, limit: Micros) -> Bool {
        before.value * 5 < limit.value * 4 && after.value * 5 >= limit.value * 4
    }

    /// The threshold notices of `kind` for `window`, unless they were sent before in it.
    mutating func notice(
        _ kind: Notifications.Threshold, _ event: InputEvent, _ tenant: TenantRecord,
        window: UsageWindow, limit: Micros, used: Micros
    ) -> [OutputRecord] {
        guard markThreshold(ThresholdKey(tenantId: event.tenantId, window: window, template: kind.template.rawValue))
        else { return [] }
        return Notifications.threshold(
            kind, tenant: tenant, window: window, limit: limit, used: used,
            at: event.recordTimestamp)
    }

    /// The contract's order for `transaction.resolved` (v1.1, with v1.2's rules): the body (400), the signature
    /// of a `failed` one (403) and the skew (400) are checked as it is decoded; then an unknown attempt of this
    /// tenant (404), one already resolved (409 `ALREADY_RESOLVED`), a `failed` one past the release window
    /// (409 `RELEASE_WINDOW_CLOSED`); otherwise accepted, releasing what the attempt booked when it failed.
    mutating func applyResolution(_ event: InputEvent, _ checked: Checked<Resolution>) -> Applied {
        func verdict(
            _ resolution: Resolution?, _ status: Int, _ code: String?, _ reason: String?,
            _ errors: [FieldError] = [], released: Micros? = nil
        ) -> Applied {
            Applied(outputs: [
                ResolutionVerdict(
                    eventId: event.eventId, tenantId: event.tenantId, resolution: resolution, status: status,
                    code: code,
                    reason: reason, errors: errors, released: released, decidedAt: event.recordTimestamp
                ).record
            ])
        }
        let resolution: Resolution
        switch checked {
        case let .rejected(r): return verdict(nil, r.status, r.code, r.reason, r.errors)
        case let .valid(valid): resolution = valid
        }
        if let r = resolution.refusal { return verdict(resolution, r.status, r.code, r.reason, r.errors) }
        let attemptKey = EventKey(tenantId: event.tenantId, eventId: resolution.attemptId)
        guard let attempt = storedEvent(attemptKey), attempt.type == .transactionAttempted
        else { return verdict(resolution, 404, "UNKNOWN_ATTEMPT", "unknown_attempt") }
        guard !isResolved(attemptKey) else {
            return verdict(resolution, 409, "ALREADY_RESOLVED", "already_resolved")
        }
        if resolution.kind == .failed, !Self.withinReleaseWindow(resolution, of: attempt, rules: rules) {
            return verdict(resolution, 409, "RELEASE_WINDOW_CLOSED", "release_window_closed")
        }
        var released = Micros.zero
        if resolution.kind == .failed, let amount = attempt.bookedAmount, let day = attempt.bookedDay {
            released = releaseBooking(amount, tenantId: event.tenantId, day: day)
        }
        markResolved(
            ResolutionRecord(
                attemptId: resolution.attemptId, tenantId: event.tenantId, eventId: event.eventId,
                kind: resolution.kind, released: released, bookedDay: attempt.bookedDay,
                signingKid: resolution.signingKid))
        return verdict(resolution, 200, nil, nil, released: released)
    }

    /// A `failed` resolution may release only within `rules.releaseWindowMillis` of its attempt's `occurred_at`
    /// (contract v1.2): at most that long after it, measured between the two instants. An attempt whose time
    /// cannot be read is outside every window (fail closed).
    static func withinReleaseWindow(_ resolution: Resolution, of attempt: StoredEvent, rules: Rules) -> Bool {
        guard let attemptAt = attempt.attemptInstant else { return false }
        let (elapsed, overflow) = resolution.occurredAt.millis.subtractingReportingOverflow(attemptAt.millis)
        return !overflow && elapsed <= rules.releaseWindowMillis
    }
}
