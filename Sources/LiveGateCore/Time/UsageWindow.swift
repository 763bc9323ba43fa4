/// A ceiling window: the UTC day or the UTC calendar month an instant falls in.
public struct UsageWindow: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case day
        case month
    }

    public let kind: Kind
    /// The first date of the window (for a month, its first day).
    public let start: CivilDate

    public init(kind: Kind, start: CivilDate) {
        self.kind = kind
        self.start = start
    }

    public static func day(containing instant: UTCInstant) -> UsageWindow {
        UsageWindow(kind: .day, start: instant.date)
    }

    public static func month(containing instant: UTCInstant) -> UsageWindow {
        UsageWindow(kind: .month, start: instant.date.firstOfMonth)
    }

    public var startInstant: UTCInstant { start.startInstant }

    /// The first instant after the window: the next UTC midnight, or the first of the next UTC month.
    public var resetsAt: UTCInstant {
        switch kind {
        case .day: return UTCInstant(millis: startInstant.millis + UTCInstant.millisPerDay)
        case .month: return start.firstOfNextMonth.startInstant
        }
    }
}
