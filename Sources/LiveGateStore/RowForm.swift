import LiveGateCore

/// How one processed event's row keeps what it stands for: the values of `event_type`, `replay_micros`,
/// `booked_day` and the verdict's fact columns as written.
///
/// An attempt whose verdict is kept as facts is written in encoding 2 (migration 15) when the row can leave out
/// what it already says, and the rest reads back exactly:
/// - `event_type` is NULL: a row of encoding 2 is an attempt.
/// - `replay_micros` is NULL when it equals `booked_micros` (an allowed live attempt books the amount it replays),
///   and `booked_day` is NULL when it is the UTC day of `occurred_at` (an attempt books on its own day).
/// - `verdict_amount_micros` is NULL when it equals the replayed amount (`replay_micros`, else `booked_micros`),
///   and `verdict_environment` is NULL when it is `live` and there is a replayed amount (only live attempts have one).
/// - the ceiling's columns are NULL when the ceiling is `elidedCeiling`, the beta defaults without an override.
///
/// Each saves a column's bytes on most attempts (issue 23: about 75 B of a row of about 265). A row that cannot
/// leave them out and read back the same facts (an attempt whose verdict has no amount but a booking, say) keeps
/// every fact, in encoding 1. So nothing is inferred that was not checked when it was written.
struct RowForm {
    /// The encodings a row of facts may be kept in (`verdict_encoding`: the row's layout); both rebuild the verdict's
    /// bytes with `VerdictFacts.encoding` 1. A verdict whose bytes change needs a layout number of its own here.
    static let encodings: Set<Int> = [1, 2]

    /// The ceiling a row of encoding 2 leaves out, pinned as it was when encoding 2 was defined (the beta defaults
    /// of December 2026), never read from the defaults in force: if those change, rows already written still
    /// mean what they meant, and new rows with other defaults keep their ceiling's columns.
    static let elidedCeiling = EffectiveCeiling(
        limits: CeilingLimits(perTx: .dollars(100), daily: .dollars(500), monthly: .dollars(2000)), disabled: false,
        source: .platformDefault, expiresAt: nil)

    /// The verdict's facts as a row of facts keeps them: `amount`, `environment` and `ceiling` are their columns'
    /// values.
    struct Kept {
        let encoding: Int
        let facts: VerdictFacts
        let amount: Micros?
        let environment: Environment?
        let ceiling: EffectiveCeiling?

        /// The facts this row stands for, given its `replay_micros` and `booked_micros`; nil when the columns
        /// cannot be what encoding `encoding` writes.
        func expanded(replay: Micros?, booked: Micros?) -> VerdictFacts? {
            var facts = facts
            switch encoding {
            case 1:
                guard let ceiling else { return nil }
                (facts.amount, facts.environment, facts.ceiling) = (amount, environment, ceiling)
            case 2:
                let replayed = replay ?? booked
                facts.amount = amount ?? replayed
                facts.environment = environment ?? (replayed == nil ? nil : .live)
                facts.ceiling = ceiling ?? RowForm.elidedCeiling
            default:
                return nil
            }
            return facts
        }
    }

    let eventType: String?
    let replay: Micros?
    let bookedDay: CivilDate?
    /// Nil when the row keeps its verdict (if any) as text.
    let kept: Kept?

    init(_ event: StoredEvent) {
        guard let facts = event.verdictFacts else {
            self.init(eventType: event.type.rawValue, replay: event.replayAmount, bookedDay: event.bookedDay, kept: nil)
            return
        }
        if event.type == .transactionAttempted, let compact = Self.compact(event, facts) {
            self = compact
        } else {
            self.init(
                eventType: event.type.rawValue, replay: event.replayAmount, bookedDay: event.bookedDay,
                kept: Kept(
                    encoding: 1, facts: facts, amount: facts.amount, environment: facts.environment,
                    ceiling: facts.ceiling))
        }
    }

    /// The attempt's row in encoding 2, or nil when it would not read back as `facts`, the same replayed amount and
    /// the same booked day.
    private static func compact(_ event: StoredEvent, _ facts: VerdictFacts) -> RowForm? {
        let booked = event.bookedAmount
        let ownDay = booked == nil ? nil : event.occurredAt?.date
        let day = event.bookedDay == ownDay ? nil : event.bookedDay
        let replay = booked != nil && event.replayAmount == booked ? nil : event.replayAmount
        let replayed = replay ?? booked
        let kept = Kept(
            encoding: 2, facts: facts, amount: facts.amount != nil && facts.amount == replayed ? nil : facts.amount,
            environment: facts.environment == .live && replayed != nil ? nil : facts.environment,
            ceiling: facts.ceiling == elidedCeiling ? nil : facts.ceiling)
        guard replayed == event.replayAmount, (day ?? ownDay) == event.bookedDay,
            kept.expanded(replay: replay, booked: booked) == facts
        else { return nil }
        return RowForm(eventType: nil, replay: replay, bookedDay: day, kept: kept)
    }

    private init(eventType: String?, replay: Micros?, bookedDay: CivilDate?, kept: Kept?) {
        (self.eventType, self.replay, self.bookedDay, self.kept) = (eventType, replay, bookedDay, kept)
    }
}
