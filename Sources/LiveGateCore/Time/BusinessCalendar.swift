/// Business days for the review promise ("a decision within 1–3 business days"): Monday to Friday in UTC,
/// less the dates of a holidays file. Pure: every answer is computed from its arguments, never from a clock,
/// so the same declaration and `now` give the same `due_at` on every server.
///
/// The clock starts at the declaration instant when that falls on a business day, else at 00:00 UTC of the
/// next business day (a Saturday declaration waits from Monday 00:00). From that start, `n` business days
/// later is the same time of day `n` business days on: Friday 15:00 plus 3 is Wednesday 15:00.
public struct BusinessCalendar: Sendable, Equatable {
    /// Days since the epoch of the holidays, sorted, each once.
    public let holidays: [Int64]

    /// The most holidays a calendar holds: a bound on every walk below (a century of public holidays is
    /// about 1,500 dates).
    public static let maxHolidays = 5_000

    public init(holidays: some Sequence<CivilDate>) {
        self.holidays = Array(Set(holidays.map(\.epochDay))).sorted()
    }

    public init() { holidays = [] }

    public static let weekdaysOnly = BusinessCalendar()

    /// 0 for Monday … 6 for Sunday. 1970-01-01 (epoch day 0) was a Thursday.
    static func weekday(_ epochDay: Int64) -> Int64 { ((epochDay + 3) % 7 + 7) % 7 }

    public func isBusinessDay(_ date: CivilDate) -> Bool { isBusinessDay(date.epochDay) }

    func isBusinessDay(_ epochDay: Int64) -> Bool {
        Self.weekday(epochDay) < 5 && !isHoliday(epochDay)
    }

    func isHoliday(_ epochDay: Int64) -> Bool { holidaysBefore(epochDay + 1) > holidaysBefore(epochDay) }

    /// How many holidays fall strictly before `epochDay` (binary search).
    func holidaysBefore(_ epochDay: Int64) -> Int {
        var low = 0, high = holidays.count
        while low < high {
            let middle = (low + high) / 2
            if holidays[middle] < epochDay { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first business day on or after `epochDay`. Terminates: at most two weekend days and every
    /// holiday lie in the way.
    func businessDay(onOrAfter epochDay: Int64) -> Int64 {
        var day = epochDay
        while !isBusinessDay(day) { day += 1 }
        return day
    }

    /// Where the clock of a declaration made at `instant` starts: the instant itself on a business day, else
    /// 00:00 UTC of the next business day.
    public func clockStart(_ instant: UTCInstant) -> UTCInstant {
        isBusinessDay(instant.epochDay)
            ? instant : UTCInstant(millis: businessDay(onOrAfter: instant.epochDay) * UTCInstant.millisPerDay)
    }

    /// `days` business days after the clock of `declaredAt` started, at the same time of day. With 0 it is the
    /// start itself.
    public func due(declaredAt: UTCInstant, businessDays days: Int) -> UTCInstant {
        let start = clockStart(declaredAt)
        var day = start.epochDay
        for _ in 0..<max(0, days) { day = businessDay(onOrAfter: day + 1) }
        return UTCInstant(millis: start.millis + (day - start.epochDay) * UTCInstant.millisPerDay)
    }

    /// Whole business days waited from the clock's start up to `now`: the largest `k` with
    /// `due(declaredAt, k) <= now`, 0 before the start. So at exactly `due_at` of an SLA of `n` days it is `n`.
    public func businessDaysWaiting(declaredAt: UTCInstant, now: UTCInstant) -> Int {
        let start = clockStart(declaredAt)
        guard now >= start else { return 0 }
        // Business days after the start's day, up to and including today's.
        let counted = businessDays(from: start.epochDay + 1, to: now.epochDay + 1)
        let startTimeOfDay = start.millis - start.epochDay * UTCInstant.millisPerDay
        let nowTimeOfDay = now.millis - now.epochDay * UTCInstant.millisPerDay
        // Today's business day is whole only once its time of day reaches the start's.
        let todayIncomplete =
            now.epochDay > start.epochDay && isBusinessDay(now.epochDay) && nowTimeOfDay < startTimeOfDay
        return counted - (todayIncomplete ? 1 : 0)
    }

    /// Business days in `[from, to)`, by whole weeks then the few days left, less the holidays on weekdays.
    func businessDays(from: Int64, to: Int64) -> Int {
        guard to > from else { return 0 }
        let span = to - from
        var weekdays = span / 7 * 5
        var day = from + span / 7 * 7
        while day < to {
            if Self.weekday(day) < 5 { weekdays += 1 }
            day += 1
        }
        let lower = holidaysBefore(from), upper = holidaysBefore(to)
        let weekdayHolidays = holidays[lower..<upper].filter { Self.weekday($0) < 5 }.count
        return Int(weekdays) - weekdayHolidays
    }
}
