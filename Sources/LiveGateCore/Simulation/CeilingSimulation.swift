/// What-if before changing a ceiling (contract v1.2): a tenant's retained live attempts, with their
/// resolutions, replayed in their original order under a proposed ceiling. Pure: it reads no clock, writes
/// nothing and publishes nothing.
///
/// It decides through a private `Ledger` (`decideAndBook`, `releaseBooking`), the very code the workers run, so a
/// what-if cannot drift from the rules it predicts. The ledger starts, for every window the history touches,
/// from PostgreSQL's usage less what the retained attempts booked in it (net of their releases): what attempts
/// before `from` (pruned, or past the read bound) left there stays, and only the replayed part changes. With the
/// ceiling in force proposed over a history decided under it, every outcome comes out as it was.
public enum CeilingSimulation {
    /// At most this many newly allowed and newly denied ids are named in the answer.
    public static let maxExamples = 20

    public static func run(_ history: RetainedHistory, proposal: CeilingProposal, rules: Rules) -> SimulationReport {
        let tenantId = history.tenant.tenantId
        var proposed = history.tenant
        proposed.override = proposal.applied(to: history.tenant.override)
        // Approved for the replay: only attempts decided while the tenant was approved are in the history.
        proposed.state = .productionApproved
        var ledger = Ledger(
            rules: rules, tenants: [ByteID(tenantId): proposed], usage: startingUsage(history), processed: [:])
        var report = SimulationReport(
            tenantId: tenantId, current: history.tenant.ceiling(rules), proposed: proposed.ceiling(rules),
            horizon: .init(maxAttempts: history.maxAttempts, truncated: history.truncated, keptFrom: history.keptFrom))
        // By the bytes of the ids, as everywhere: two spellings Swift calls equal are two attempts.
        var bookedNow: [ByteID: (amount: Micros, day: CivilDate)] = [:]
        let replayed = Set(
            history.steps.compactMap { step -> ByteID? in
                if case let .attempt(attempt) = step { return ByteID(attempt.eventId) }
                return nil
            })
        for step in history.steps {
            switch step {
            case let .attempt(retained):
                let attempt = Attempt(
                    occurredAt: retained.occurredAt, environment: .live, rail: nil, amount: retained.amount,
                    currency: nil, agentId: nil, rejection: nil)
                let allowedNow = ledger.decideAndBook(attempt, tenantId: tenantId).decision.allowed
                if allowedNow {
                    bookedNow[ByteID(retained.eventId)] = (retained.amount, retained.occurredAt.date)
                    report.notePeaks(retained.occurredAt, ledger: ledger)
                }
                report.count(retained, allowedNow: allowedNow)
            case let .resolution(resolution):
                guard resolution.kind == .failed else { continue }
                if !replayed.contains(ByteID(resolution.attemptId)) {
                    // An attempt older than the history: what it held until now is given back as it was then.
                    if let day = resolution.bookedDay, resolution.released > .zero {
                        _ = ledger.releaseBooking(resolution.released, tenantId: tenantId, day: day)
                    }
                } else if let booked = bookedNow.removeValue(forKey: ByteID(resolution.attemptId)) {
                    // What the replayed attempt booked is given back, whatever it booked then.
                    _ = ledger.releaseBooking(booked.amount, tenantId: tenantId, day: booked.day)
                }
            }
        }
        return report
    }

    /// PostgreSQL's usage of each window the history touches, less what its attempts booked there then and plus
    /// what the failed resolutions within it gave back: the usage left by everything before the history. Never negative;
    /// sums stop at `Micros.meteringCap`, as metered usage does.
    static func startingUsage(_ history: RetainedHistory) -> [UsageKey: Micros] {
        var bookedDays: [ByteID: CivilDate] = [:]
        var net: [UsageWindow: Micros] = [:]
        func add(_ amount: Micros, _ day: CivilDate, _ sign: Int64) {
            for window in [UsageWindow(kind: .day, start: day), UsageWindow(kind: .month, start: day.firstOfMonth)] {
                let cap = Micros.meteringCap.value
                let after = (net[window] ?? .zero).value + sign * amount.value
                net[window] = Micros(max(-cap, min(cap, after)))
            }
        }
        for step in history.steps {
            switch step {
            case let .attempt(attempt) where attempt.allowedThen:
                bookedDays[ByteID(attempt.eventId)] = attempt.occurredAt.date
                add(attempt.amount, attempt.occurredAt.date, 1)
            case let .resolution(resolution) where resolution.kind == .failed:
                // Of an attempt in the history: net of its booking. Of an older one: its booking was still in
                // the windows when the history began, so it counts as theirs.
                if let day = bookedDays[ByteID(resolution.attemptId)] ?? resolution.bookedDay {
                    add(resolution.released, day, -1)
                }
            default:
                continue
            }
        }
        var start: [UsageKey: Micros] = [:]
        let tenantId = history.tenant.tenantId
        for window in Set(net.keys).union(history.usage.keys) {
            let left = (history.usage[window] ?? .zero) - (net[window] ?? .zero)
            start[UsageKey(tenantId: tenantId, window: window)] = min(Micros.meteringCap, max(.zero, left))
        }
        return start
    }
}
