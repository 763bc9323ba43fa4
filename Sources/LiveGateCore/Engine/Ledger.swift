/// The pure heart of LiveGate: applies an ordered batch of input events to a snapshot of stored state and
/// collects both the outputs and the writes that make them durable.
///
/// The store reads (and locks) what `requirements(for:)` names, builds a `Ledger`, applies every event in
/// order, then writes `newEvents`, `changedTenants`, `transitions` and `bookings` in the same transaction.
/// Nothing here performs I/O or reads a clock, so the same snapshot and events always give the same bytes.
public struct Ledger: Sendable {
    public let rules: Rules
    /// Keyed by the bytes of the ids: two ids that Swift would call equal are two tenants or events here.
    public private(set) var tenants: [ByteID: TenantRecord]
    public private(set) var usage: [UsageKey: Micros]
    /// By (tenant, event id): the idempotency key (contract v1.2).
    private var processed: [EventKey: StoredEvent]
    /// Attempts that have a resolution (stored, or earlier in this batch), by (tenant, attempt id).
    private var resolvedAttempts: Set<EventKey>
    /// Threshold notices sent (stored, or earlier in this batch).
    private var thresholds: Set<ThresholdKey>

    public private(set) var newEvents: [StoredEvent] = []
    public private(set) var transitions: [TransitionRecord] = []
    public private(set) var bookings: [UsageKey: UsageBooking] = [:]
    public private(set) var newResolutions: [ResolutionRecord] = []
    public private(set) var newThresholds: [ThresholdKey] = []
    /// Tenants whose row must be written, in the order they first changed.
    public private(set) var changedTenantIds: [ByteID] = []

    public init(
        rules: Rules, tenants: [ByteID: TenantRecord], usage: [UsageKey: Micros],
        processed: [EventKey: StoredEvent], resolvedAttempts: Set<EventKey> = [], thresholds: Set<ThresholdKey> = []
    ) {
        self.rules = rules
        self.tenants = tenants
        self.usage = usage
        self.processed = processed
        self.resolvedAttempts = resolvedAttempts
        self.thresholds = thresholds
    }

    public static func requirements(for events: [InputEvent]) -> LedgerRequirements {
        var usageKeys = Set<UsageKey>()
        var attempts = Set<EventKey>()
        for event in events {
            switch event.body {
            // Only attempts that passed validation can book: their time is within the skew bound of a
            // record timestamp, so their windows are dates PostgreSQL can hold.
            case let .attempt(attempt):
                guard attempt.rejection == nil, attempt.environment == .live, let occurredAt = attempt.occurredAt
                else { continue }
                usageKeys.insert(UsageKey(tenantId: event.tenantId, window: .day(containing: occurredAt)))
                usageKeys.insert(UsageKey(tenantId: event.tenantId, window: .month(containing: occurredAt)))
            case let .resolution(.valid(resolution)):
                attempts.insert(EventKey(tenantId: event.tenantId, eventId: resolution.attemptId))
            default:
                continue
            }
        }
        var requirements = LedgerRequirements(
            tenantIds: Set(events.map { ByteID($0.tenantId) }).map(\.text).sorted(by: ByteID.precedes),
            events: Array(Set(events.map(\.key)).union(attempts)),
            usageKeys: Array(usageKeys))
        requirements.resolvedAttempts = Array(attempts)
        return requirements
    }

    public var changedTenants: [TenantRecord] { changedTenantIds.map { tenants[$0]! } }

    public func tenant(_ id: String) -> TenantRecord { tenants[ByteID(id)] ?? TenantRecord(tenantId: id) }

    public mutating func apply(_ event: InputEvent) -> EventOutcome {
        if let stored = processed[event.key] {
            // Bytes, not Swift's canonical equivalence: "caf\u{e9}" and "cafe\u{301}" are other content.
            guard stored.fingerprint.utf8.elementsEqual(event.fingerprint.utf8) else {
                return .conflict(
                    DeadLetterReason(
                        .idempotencyConflict,
                        "event_id was already processed with other content; the original verdict stands",
                        eventId: event.eventId, tenantId: event.tenantId))
            }
            let status = stored.changedTenant ? [TenantStatus.record(tenant(stored.tenantId), rules: rules)] : []
            return .duplicate(Self.stamped(stored.outputs, answering: stored.fingerprint) + status)
        }
        let result: Applied
        switch event.body {
        case let .declaration(checked): result = applyDeclaration(event, checked)
        case let .decision(checked): result = applyDecision(event, checked)
        case let .attempt(attempt): result = applyAttempt(event, attempt)
        case let .resolution(checked): result = applyResolution(event, checked)
        }
        var stored = StoredEvent(
            eventId: event.eventId, tenantId: event.tenantId, type: event.type,
            fingerprint: event.fingerprint, outputs: result.outputs,
            changedTenant: result.changedTenant, bookedAmount: result.bookedAmount,
            bookedDay: result.bookedDay, occurredAt: result.occurredAt)
        stored.replayAmount = result.replayAmount
        stored.verdictFacts = result.verdictFacts
        processed[event.key] = stored
        newEvents.append(stored)
        let status = result.changedTenant ? [TenantStatus.record(tenant(event.tenantId), rules: rules)] : []
        return .applied(Self.stamped(result.outputs, answering: event.fingerprint) + status)
    }

    /// Transaction verdicts carry the fingerprint of the input they answer (`Topics.inputSHA256Header`).
    static func stamped(_ outputs: [OutputRecord], answering fingerprint: String) -> [OutputRecord] {
        outputs.map { output in
            guard output.topic == Topics.transactionVerdict else { return output }
            var stamped = output
            stamped.inputFingerprint = fingerprint
            return stamped
        }
    }

    /// What applying one event produced, before it is stored.
    struct Applied {
        var outputs: [OutputRecord]
        var changedTenant = false
        var bookedAmount: Micros? = nil
        var bookedDay: CivilDate? = nil
        /// An attempt's valid `occurred_at`, kept for its release window.
        var occurredAt: UTCInstant? = nil
        /// The amount of a live attempt decided while the tenant was approved: what `simulate` replays.
        var replayAmount: Micros? = nil
        /// An attempt's verdict as facts, when they rebuild the verdict's bytes (its first output).
        var verdictFacts: VerdictFacts? = nil
    }

    mutating func commit(_ tenant: TenantRecord, transition: TransitionRecord) {
        var tenant = tenant
        tenant.version += 1
        let id = ByteID(tenant.tenantId)
        if !changedTenantIds.contains(id) { changedTenantIds.append(id) }
        tenants[id] = tenant
        transitions.append(transition)
    }

    /// Adds `amount` to a window; `limit` nil when the ceiling is disabled (metered, not enforced).
    mutating func book(_ amount: Micros, tenantId: String, window: UsageWindow, limit: Micros?) {
        let key = UsageKey(tenantId: tenantId, window: window)
        // Metered usage (a disabled ceiling) has no limit; it stops growing at `Micros.meteringCap` rather than
        // overflow and trap on every retry of the batch.
        let before = usage[key] ?? .zero
        let usedAfter = min(before + amount, max(Micros.meteringCap, before))
        usage[key] = usedAfter
        var booking =
            bookings[key] ?? UsageBooking(key: key, delta: .zero, limit: limit, setsLimit: true, usedAfter: usedAfter)
        booking.delta = booking.delta + (usedAfter - before)
        booking.limit = limit
        booking.setsLimit = true
        booking.usedAfter = usedAfter
        bookings[key] = booking
    }

    /// Takes `amount` off a window, never below zero; returns what was taken.
    @discardableResult
    mutating func release(_ amount: Micros, tenantId: String, window: UsageWindow) -> Micros {
        let key = UsageKey(tenantId: tenantId, window: window)
        let used = usage[key] ?? .zero
        let taken = min(used, amount)
        guard taken > .zero else { return .zero }
        usage[key] = used - taken
        var booking =
            bookings[key] ?? UsageBooking(key: key, delta: .zero, limit: nil, setsLimit: false, usedAfter: used)
        booking.delta = booking.delta - taken
        booking.usedAfter = used - taken
        bookings[key] = booking
        return taken
    }

    /// Records a threshold notice as sent; false when it was sent before.
    mutating func markThreshold(_ key: ThresholdKey) -> Bool {
        guard thresholds.insert(key).inserted else { return false }
        newThresholds.append(key)
        return true
    }

    mutating func markResolved(_ record: ResolutionRecord) {
        resolvedAttempts.insert(EventKey(tenantId: record.tenantId, eventId: record.attemptId))
        newResolutions.append(record)
    }

    func isResolved(_ attempt: EventKey) -> Bool { resolvedAttempts.contains(attempt) }

    func storedEvent(_ key: EventKey) -> StoredEvent? { processed[key] }
}
