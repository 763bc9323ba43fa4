/// One tenant's usage in one window. Tenants are told apart by the bytes of their ids (`ByteID`).
public struct UsageKey: Sendable, Hashable {
    public let tenantId: String
    public let window: UsageWindow

    public init(tenantId: String, window: UsageWindow) {
        self.tenantId = tenantId
        self.window = window
    }

    public static func == (a: UsageKey, b: UsageKey) -> Bool {
        a.window == b.window && ByteID(a.tenantId) == ByteID(b.tenantId)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ByteID(tenantId))
        hasher.combine(window)
    }
}

/// An input that was processed before: what it was, and the outputs it produced (verdict first, then its
/// notifications). The tenant status is not stored: a repeat publishes the tenant's *current* status instead,
/// so an old status can never overwrite a newer one on the compacted topic.
public struct StoredEvent: Sendable, Equatable {
    public let eventId: String
    public let tenantId: String
    public let type: EventType
    public let fingerprint: String
    public let outputs: [OutputRecord]
    public let changedTenant: Bool
    /// For allowed live attempts: the amount booked and the UTC day it was booked on (for reconciliation).
    public let bookedAmount: Micros?
    public let bookedDay: CivilDate?
    /// For attempts with a valid `occurred_at`: that instant (the release window is measured from it). Nil for
    /// attempts stored before v1.2 kept it, and for other events.
    public let occurredAt: UTCInstant?
    /// For a live attempt decided while the tenant was approved (allowed, or denied by a ceiling): its amount.
    /// These are the attempts a ceiling simulation replays (contract v1.2, "What-if before changing a ceiling").
    public var replayAmount: Micros? = nil
    /// For an attempt whose verdict (its first output) rebuilds from its facts: those facts, which the store
    /// keeps instead of the verdict's text. Nil for every other event, and for verdicts kept as text.
    public var verdictFacts: VerdictFacts? = nil

    public init(
        eventId: String, tenantId: String, type: EventType, fingerprint: String, outputs: [OutputRecord],
        changedTenant: Bool, bookedAmount: Micros? = nil, bookedDay: CivilDate? = nil,
        occurredAt: UTCInstant? = nil
    ) {
        self.eventId = eventId
        self.tenantId = tenantId
        self.type = type
        self.fingerprint = fingerprint
        self.outputs = outputs
        self.changedTenant = changedTenant
        self.bookedAmount = bookedAmount
        self.bookedDay = bookedDay
        self.occurredAt = occurredAt
    }

    /// When the attempt happened, for its release window: its `occurred_at`, or for an attempt stored without
    /// one (before v1.2, or an invalid body) its verdict's `decided_at`, the record timestamp, which is within
    /// the skew tolerance of any valid `occurred_at`. Nil only when neither can be read.
    public var attemptInstant: UTCInstant? {
        if let occurredAt { return occurredAt }
        guard let verdict = outputs.first, let json = try? JSONParser.parse(verdict.value) else { return nil }
        return json["decided_at"]?.stringValue.flatMap(RFC3339.parse)
    }
}

/// An applied access transition, for the append-only history.
public struct TransitionRecord: Sendable, Equatable {
    public let tenantId: String
    public let eventId: String
    public let action: String
    public let actorId: String?
    public let fromState: AccessState
    public let toState: AccessState
    public let notes: String?
    /// The override after the transition (nil for a declaration).
    public let ceiling: CeilingOverride?
    public let occurredAt: UTCInstant
    /// The `kid` of the key that signed a decision, when signatures are checked.
    public var signingKid: String? = nil
    /// The override before a decision.
    public var ceilingBefore: CeilingOverride? = nil
    /// What a declaration asked (for the review queue); nil for decisions.
    public var declared: DeclarationDetails? = nil
}

/// The amount a batch adds to one usage window (negative when it releases more than it books), with the
/// limit in force at its last booking. The store adds `delta` and checks that the row then holds exactly
/// `usedAfter` and no more than its limit.
public struct UsageBooking: Sendable, Equatable {
    public let key: UsageKey
    public var delta: Micros
    /// Written only when `setsLimit`; nil for usage metered while the ceiling was disabled (no limit).
    public var limit: Micros?
    /// False while the batch only released from the window: the row keeps its limit.
    public var setsLimit: Bool
    public var usedAfter: Micros
}

/// A threshold notice already sent: once per tenant, window and template (contract v1.1).
public struct ThresholdKey: Sendable, Hashable {
    public let tenantId: String
    public let window: UsageWindow
    public let template: String

    public init(tenantId: String, window: UsageWindow, template: String) {
        (self.tenantId, self.window, self.template) = (tenantId, window, template)
    }

    public static func == (a: ThresholdKey, b: ThresholdKey) -> Bool {
        a.window == b.window && a.template == b.template && ByteID(a.tenantId) == ByteID(b.tenantId)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ByteID(tenantId))
        hasher.combine(window)
        hasher.combine(template)
    }
}

/// An accepted resolution of an attempt: what was released, for the store and reconcile. Keyed, like the
/// attempt it names, by (tenant, attempt id).
public struct ResolutionRecord: Sendable, Equatable {
    public let attemptId: String
    public let tenantId: String
    public let eventId: String
    public let kind: ResolutionKind
    public let released: Micros
    /// The UTC day the attempt booked on (its windows), when it booked anything.
    public let bookedDay: CivilDate?
    /// The key that signed it, when the workers check resolution signatures.
    public var signingKid: String? = nil
}

/// What the store must read (and lock) before a batch can be decided.
public struct LedgerRequirements: Sendable, Equatable {
    /// Sorted, so every transaction locks tenants in the same order.
    public let tenantIds: [String]
    /// The batch's events, and the attempts its resolutions name (each of its own tenant).
    public let events: [EventKey]
    public let usageKeys: [UsageKey]
    /// The attempts named by resolutions: their resolutions so far, and the usage of the windows they booked.
    public var resolvedAttempts: [EventKey] = []
}

/// The answer to one input event.
public enum EventOutcome: Sendable, Equatable {
    /// First time: the outputs to publish (verdict, notifications, then the tenant status if it changed).
    case applied([OutputRecord])
    /// Seen before with the same content: the stored outputs again, byte for byte, and the current status.
    case duplicate([OutputRecord])
    /// Seen before with other content: nothing changes; the record goes to the dead-letter topic.
    case conflict(DeadLetterReason)
    /// PostgreSQL refused this event alone (`apply_failed`): nothing of it was written; the record goes to the
    /// dead-letter topic. Set by the pipeline, never by the ledger.
    case refused(DeadLetterReason)

    public var outputs: [OutputRecord] {
        switch self {
        case let .applied(o), let .duplicate(o): return o
        case .conflict, .refused: return []
        }
    }

    /// Why the record goes to the dead-letter topic instead of being answered, if it does.
    public var deadLetter: DeadLetterReason? {
        switch self {
        case let .conflict(reason), let .refused(reason): return reason
        case .applied, .duplicate: return nil
        }
    }
}
