/// The answer of a ceiling simulation (contract v1.2, "What-if before changing a ceiling").
public struct SimulationReport: Sendable, Equatable {
    /// The highest usage one window reached in the replay.
    public struct Peak: Sendable, Equatable {
        public var window: UsageWindow?
        public var used: Micros = .zero
    }

    /// How far back the replay could see: `from` is the oldest attempt read.
    public struct Horizon: Sendable, Equatable {
        public let maxAttempts: Int
        /// The tenant retains more attempts than `maxAttempts`: only the newest were replayed.
        public let truncated: Bool
        /// `livegate prune` removed windows and bookings before this day (nil: never pruned).
        public let keptFrom: CivilDate?
    }

    public let tenantId: String
    public let current: EffectiveCeiling
    public let proposed: EffectiveCeiling
    public let horizon: Horizon
    public private(set) var from: UTCInstant?
    public private(set) var to: UTCInstant?
    public private(set) var attempts = 0
    public private(set) var allowedThen = 0
    public private(set) var allowedNow = 0
    public private(set) var newlyAllowed: [String] = []
    public private(set) var newlyDenied: [String] = []
    public private(set) var newlyAllowedCount = 0
    public private(set) var newlyDeniedCount = 0
    public private(set) var newlyAllowedAmount = Micros.zero
    public private(set) var newlyDeniedAmount = Micros.zero
    public private(set) var firstNewDenialAt: UTCInstant?
    public private(set) var peakDaily = Peak()
    public private(set) var peakMonthly = Peak()

    init(tenantId: String, current: EffectiveCeiling, proposed: EffectiveCeiling, horizon: Horizon) {
        (self.tenantId, self.current, self.proposed, self.horizon) = (tenantId, current, proposed, horizon)
    }

    mutating func count(_ attempt: RetainedAttempt, allowedNow now: Bool) {
        attempts += 1
        from = min(from ?? attempt.occurredAt, attempt.occurredAt)
        to = max(to ?? attempt.occurredAt, attempt.occurredAt)
        if attempt.allowedThen { allowedThen += 1 }
        if now { allowedNow += 1 }
        switch (attempt.allowedThen, now) {
        case (false, true):
            newlyAllowedCount += 1
            newlyAllowedAmount = Self.sum(newlyAllowedAmount, attempt.amount)
            if newlyAllowed.count < CeilingSimulation.maxExamples { newlyAllowed.append(attempt.eventId) }
        case (true, false):
            newlyDeniedCount += 1
            newlyDeniedAmount = Self.sum(newlyDeniedAmount, attempt.amount)
            if firstNewDenialAt == nil { firstNewDenialAt = attempt.occurredAt }
            if newlyDenied.count < CeilingSimulation.maxExamples { newlyDenied.append(attempt.eventId) }
        default:
            break
        }
    }

    /// After an allowed attempt at `instant`: its day's and month's usage, if higher than any seen (the first
    /// window to reach a height keeps it).
    mutating func notePeaks(_ instant: UTCInstant, ledger: Ledger) {
        for window in [UsageWindow.day(containing: instant), UsageWindow.month(containing: instant)] {
            let used = ledger.usage[UsageKey(tenantId: tenantId, window: window)] ?? .zero
            switch window.kind {
            case .day where used > peakDaily.used: peakDaily = Peak(window: window, used: used)
            case .month where used > peakMonthly.used: peakMonthly = Peak(window: window, used: used)
            default: continue
            }
        }
    }

    /// Exact, and like metered usage it stops at `Micros.meteringCap` rather than overflow (50,000 attempts of
    /// the largest amount would).
    static func sum(_ a: Micros, _ b: Micros) -> Micros { min(Micros.meteringCap, a + b) }

    public var json: JSONValue {
        func peak(_ p: Peak) -> JSONValue {
            .object([("window_start", .instant(p.window?.startInstant)), ("used", .micros(p.used))])
        }
        return .object([
            ("tenant_id", .string(tenantId)),
            ("from", .instant(from)),
            ("to", .instant(to)),
            ("attempts", .int(attempts)),
            ("allowed_then", .int(allowedThen)),
            ("allowed_now", .int(allowedNow)),
            ("newly_allowed", .int(newlyAllowedCount)),
            ("newly_denied", .int(newlyDeniedCount)),
            ("newly_allowed_amount", .micros(newlyAllowedAmount)),
            ("newly_denied_amount", .micros(newlyDeniedAmount)),
            ("first_new_denial_at", .instant(firstNewDenialAt)),
            ("peak", .object([("daily", peak(peakDaily)), ("monthly", peak(peakMonthly))])),
            (
                "examples",
                .object([
                    ("newly_allowed", .array(newlyAllowed.map { .string($0) })),
                    ("newly_denied", .array(newlyDenied.map { .string($0) })),
                ])
            ),
            ("ceiling", .object([("current", current.json), ("proposed", proposed.json)])),
            (
                "horizon",
                .object([
                    ("max_attempts", .int(horizon.maxAttempts)), ("truncated", .bool(horizon.truncated)),
                    ("kept_from", .string(horizon.keptFrom?.description)),
                ])
            ),
        ])
    }
}
