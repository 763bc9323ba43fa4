extension Ledger {
    mutating func applyDeclaration(_ event: InputEvent, _ checked: Checked<Declaration>) -> Applied {
        let before = tenant(event.tenantId)
        func rejected(_ status: Int, _ code: String?, _ reason: String, _ errors: [FieldError]) -> Applied {
            Applied(outputs: [AccessVerdict(
                eventId: event.eventId, tenantId: event.tenantId, subject: .declaration, accepted: false,
                status: status, code: code, reason: reason, errors: errors, previousState: before.state,
                state: before.state, action: nil, decidedAt: event.recordTimestamp).record])
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
        commit(after, transition: TransitionRecord(
            tenantId: event.tenantId, eventId: event.eventId, action: AccessAction.declare.name,
            actorId: declaration.ownerUserId, fromState: before.state, toState: next, notes: nil, ceiling: nil,
            occurredAt: declaration.occurredAt))
        let committed = tenant(event.tenantId)
        let verdict = AccessVerdict(
            eventId: event.eventId, tenantId: event.tenantId, subject: .declaration, accepted: true, status: 202,
            code: nil, reason: nil, errors: [], previousState: before.state, state: next, action: nil,
            decidedAt: event.recordTimestamp)
        return Applied(outputs: [verdict.record] + Notifications.reviewQueue(
            eventId: event.eventId, tenant: committed, useCase: declaration.intendedUseCase, at: event.recordTimestamp),
            changedTenant: true)
    }

    mutating func applyDecision(_ event: InputEvent, _ checked: Checked<Decision>) -> Applied {
        let before = tenant(event.tenantId)
        func verdict(_ accepted: Bool, _ status: Int, _ code: String?, _ reason: String?, _ errors: [FieldError],
                     _ state: AccessState, _ action: DecisionAction?) -> OutputRecord {
            AccessVerdict(eventId: event.eventId, tenantId: event.tenantId, subject: .decision, accepted: accepted,
                          status: status, code: code, reason: reason, errors: errors, previousState: before.state,
                          state: state, action: action, decidedAt: event.recordTimestamp).record
        }
        let decision: Decision
        switch checked {
        case let .rejected(r):
            return Applied(outputs: [verdict(false, r.status, r.code, r.reason, r.errors, before.state, nil)])
        case let .valid(d): decision = d
        }
        guard let next = AccessMachine.next(from: before.state, on: .decide(decision.action)) else {
            return Applied(outputs: [verdict(false, 409, "INVALID_TRANSITION", "invalid_transition", [], before.state,
                                             decision.action)])
        }
        var after = before
        after.state = next
        if decision.action != .setCeiling {
            after.reviewedAt = decision.occurredAt
            after.reviewNotes = decision.reviewNotes
        }
        let appliesCeiling = decision.action == .approve || decision.action == .setCeiling
        if appliesCeiling, let ceiling = decision.ceiling { after.override = ceiling }
        commit(after, transition: TransitionRecord(
            tenantId: event.tenantId, eventId: event.eventId, action: decision.action.rawValue,
            actorId: decision.adminId, fromState: before.state, toState: next, notes: decision.reviewNotes,
            ceiling: appliesCeiling ? decision.ceiling : nil, occurredAt: decision.occurredAt,
            signingKid: decision.signingKid))
        let committed = tenant(event.tenantId)
        var outputs = [verdict(true, 200, nil, nil, [], next, decision.action)]
        if decision.action != .setCeiling {
            outputs += Notifications.ownerNotices(eventId: event.eventId, tenant: committed, from: before.state,
                                                  ceiling: committed.ceiling(rules), at: event.recordTimestamp)
        }
        return Applied(outputs: outputs, changedTenant: true)
    }

    mutating func applyAttempt(_ event: InputEvent, _ attempt: Attempt) -> Applied {
        let current = tenant(event.tenantId)
        let ceiling = current.ceiling(rules)
        var usedToday = Micros.zero
        var usedThisMonth = Micros.zero
        if attempt.environment == .live, let at = attempt.occurredAt {
            usedToday = usage[UsageKey(tenantId: event.tenantId, window: .day(containing: at))] ?? .zero
            usedThisMonth = usage[UsageKey(tenantId: event.tenantId, window: .month(containing: at))] ?? .zero
        }
        let decision = CeilingRules.decide(attempt, state: current.state, ceiling: ceiling, usedToday: usedToday,
                                           usedThisMonth: usedThisMonth)
        var applied = Applied(outputs: [TransactionVerdict(
            eventId: event.eventId, tenantId: event.tenantId, attempt: attempt, decision: decision,
            ceiling: ceiling, decidedAt: event.recordTimestamp).record])
        if decision.books, let amount = attempt.amount, let at = attempt.occurredAt {
            book(amount, tenantId: event.tenantId, window: .day(containing: at), limit: ceiling.limits.daily)
            book(amount, tenantId: event.tenantId, window: .month(containing: at), limit: ceiling.limits.monthly)
            applied.bookedAmount = amount
            applied.bookedDay = at.date
        }
        return applied
    }
}
