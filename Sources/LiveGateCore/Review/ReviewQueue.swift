/// The review queue (contract v1.2): pending declarations, oldest first, each with when its decision is due
/// under the review promise. Pure: `now` and the calendar are arguments, so the CLI, `serve` and the tests
/// compute the same answer from the same rows.
public struct ReviewQueue: Sendable {
    /// The promise: a decision within this many business days (`--review-sla-days`, default 3).
    public static let defaultSLADays = 3
    public static let slaDaysRange = 1...30
    /// The most entries one answer lists (`--max`, default 1000); the oldest come first, so the overdue ones
    /// are never the ones left out.
    public static let defaultMax = 1_000
    public static let maxRange = 1...10_000

    public struct Settings: Sendable, Equatable {
        public var slaDays: Int
        public var calendar: BusinessCalendar
        public var max: Int

        public init(
            slaDays: Int = ReviewQueue.defaultSLADays, calendar: BusinessCalendar = .weekdaysOnly,
            max: Int = ReviewQueue.defaultMax
        ) {
            (self.slaDays, self.calendar, self.max) = (slaDays, calendar, max)
        }
    }

    /// One line of the queue.
    public struct Entry: Sendable, Equatable {
        public let declaration: PendingDeclaration
        public let dueAt: UTCInstant
        /// After `dueAt`: at `dueAt` exactly the promise still holds.
        public let overdue: Bool
        public let businessDaysWaiting: Int
    }

    public let entries: [Entry]
    public let settings: Settings
    public let asOf: UTCInstant

    /// Orders `pending` oldest declaration first (then by tenant id, byte order) and dates each.
    public init(_ pending: [PendingDeclaration], settings: Settings, now: UTCInstant) {
        let ordered = pending.sorted {
            $0.declaredAt != $1.declaredAt
                ? $0.declaredAt < $1.declaredAt : ByteID.precedes($0.tenantId, $1.tenantId)
        }
        entries = ordered.prefix(settings.max).map { declaration in
            let due = settings.calendar.due(declaredAt: declaration.declaredAt, businessDays: settings.slaDays)
            return Entry(
                declaration: declaration, dueAt: due, overdue: now > due,
                businessDaysWaiting: settings.calendar.businessDaysWaiting(
                    declaredAt: declaration.declaredAt, now: now))
        }
        self.settings = settings
        asOf = now
    }

    public var overdueCount: Int { entries.filter(\.overdue).count }

    /// Seconds since the oldest listed declaration (wall time, not business time); 0 for an empty queue.
    public var oldestAgeSeconds: Int64 {
        guard let oldest = entries.first else { return 0 }
        return max(0, (asOf.millis - oldest.declaration.declaredAt.millis) / 1000)
    }

    /// The contract's array: `[{"tenant_id", "declared_at", "due_at", "overdue", "business_days_waiting",
    /// "intended_use_case", "expected_monthly_volume_usd", "website_url", "suggested_ceiling",
    /// "owner": {"email", "name"}, "version"}]`.
    public var json: JSONValue { .array(entries.map(\.json)) }
}

extension ReviewQueue.Entry {
    public var json: JSONValue {
        let d = declaration
        return .object([
            ("tenant_id", .string(d.tenantId)), ("declared_at", .instant(d.declaredAt)),
            ("due_at", .instant(dueAt)), ("overdue", .bool(overdue)),
            ("business_days_waiting", .int(businessDaysWaiting)),
            ("intended_use_case", .string(d.intendedUseCase)),
            ("expected_monthly_volume_usd", d.expectedMonthlyVolumeUSD.map(JSONValue.number) ?? .null),
            ("website_url", .string(d.websiteURL)), ("suggested_ceiling", d.suggested?.json ?? .null),
            ("owner", .object([("email", .string(d.ownerEmail)), ("name", .string(d.ownerName))])),
            ("version", .int(d.version)),
        ])
    }
}
