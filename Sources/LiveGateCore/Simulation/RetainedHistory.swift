/// A live attempt decided while its tenant was approved, as the store keeps it: what a simulation replays.
public struct RetainedAttempt: Sendable, Equatable {
    public let eventId: String
    public let occurredAt: UTCInstant
    public let amount: Micros
    /// Whether it was allowed then (an allowed live attempt always books its amount).
    public let allowedThen: Bool

    public init(eventId: String, occurredAt: UTCInstant, amount: Micros, allowedThen: Bool) {
        (self.eventId, self.occurredAt, self.amount, self.allowedThen) = (eventId, occurredAt, amount, allowedThen)
    }
}

/// An accepted resolution applied within the history: `released` is what it gave back then, from the windows
/// of `bookedDay`. Its attempt may be older than the history (pruned): its booking then held those windows until
/// this resolution, and the replay gives it back here too.
public struct RetainedResolution: Sendable, Equatable {
    public let attemptId: String
    public let kind: ResolutionKind
    public let released: Micros
    public let bookedDay: CivilDate?

    public init(attemptId: String, kind: ResolutionKind, released: Micros, bookedDay: CivilDate? = nil) {
        (self.attemptId, self.kind, self.released, self.bookedDay) = (attemptId, kind, released, bookedDay)
    }
}

/// One step of the history, in the order the workers applied it.
public enum ReplayStep: Sendable, Equatable {
    case attempt(RetainedAttempt)
    case resolution(RetainedResolution)
}

/// What a ceiling simulation needs of one tenant, read in one snapshot: the tenant, its retained attempts and
/// their resolutions in their original order, and the usage PostgreSQL holds now for every window they touch.
public struct RetainedHistory: Sendable, Equatable {
    public let tenant: TenantRecord
    public let steps: [ReplayStep]
    /// PostgreSQL's usage of the windows the attempts fall in (absent: zero).
    public let usage: [UsageWindow: Micros]
    /// The most attempts a simulation reads; `truncated` when the tenant retains more (the newest are read).
    public let maxAttempts: Int
    public let truncated: Bool
    /// `livegate prune`'s `retention.kept_from`: usage windows and bookings before it are gone. nil when
    /// nothing was ever pruned.
    public let keptFrom: CivilDate?

    public init(
        tenant: TenantRecord, steps: [ReplayStep], usage: [UsageWindow: Micros], maxAttempts: Int,
        truncated: Bool = false, keptFrom: CivilDate? = nil
    ) {
        self.tenant = tenant
        self.steps = steps
        self.usage = usage
        self.maxAttempts = maxAttempts
        self.truncated = truncated
        self.keptFrom = keptFrom
    }
}
