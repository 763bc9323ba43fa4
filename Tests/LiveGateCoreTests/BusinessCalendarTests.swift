import LiveGateCore
import Testing

@Suite("The review clock: business days in UTC, holidays, due_at and waiting")
struct BusinessCalendarTests {
    func at(_ text: String) -> UTCInstant { RFC3339.parse(text)! }
    func day(_ text: String) -> CivilDate {
        let p = text.split(separator: "-").map { Int64($0)! }
        return CivilDate(year: p[0], month: p[1], day: p[2])
    }
    func calendar(_ holidays: [String]) -> BusinessCalendar { BusinessCalendar(holidays: holidays.map(day)) }

    @Test(
        "due_at: 3 business days on, at the same time of day; weekends and holidays count from the next business day",
        arguments: [
            // (declared, holidays, SLA days, due)
            ("2026-12-04T15:00:00Z", [], 3, "2026-12-09T15:00:00.000Z"),  // Friday → Wednesday (the contract)
            ("2026-12-05T10:00:00Z", [], 3, "2026-12-10T00:00:00.000Z"),  // Saturday → Thursday 00:00 (the contract)
            ("2026-12-06T23:59:59Z", [], 3, "2026-12-10T00:00:00.000Z"),  // Sunday night, the same
            ("2026-12-07T10:00:00Z", [], 3, "2026-12-10T10:00:00.000Z"),  // Monday → Thursday
            ("2026-12-07T10:00:00Z", ["2026-12-10"], 3, "2026-12-11T10:00:00.000Z"),  // a holiday on the due day
            ("2026-12-07T10:00:00Z", ["2026-12-08"], 3, "2026-12-11T10:00:00.000Z"),  // a holiday on the way
            ("2026-12-07T10:00:00Z", ["2026-12-12"], 3, "2026-12-10T10:00:00.000Z"),  // one on a Saturday: no effect
            // Consecutive holidays over the year's end (Christmas Eve, Christmas, New Year's Eve and Day).
            (
                "2026-12-23T12:00:00Z", ["2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"], 3,
                "2026-12-30T12:00:00.000Z"
            ),
            (
                "2026-12-23T12:00:00Z", ["2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"], 5,
                "2027-01-05T12:00:00.000Z"
            ),
            ("2026-12-25T08:00:00Z", ["2026-12-25"], 3, "2026-12-31T00:00:00.000Z"),  // made on a holiday
            ("2026-12-31T10:00:00Z", [], 3, "2027-01-05T10:00:00.000Z"),  // Dec 31 → January
            ("2026-04-30T16:00:00Z", [], 3, "2026-05-05T16:00:00.000Z"),  // a month's end
            ("2028-02-28T09:30:00Z", [], 3, "2028-03-02T09:30:00.000Z"),  // over a leap day
            ("2024-02-29T23:00:00Z", [], 3, "2024-03-05T23:00:00.000Z"),  // made on a leap day
            ("2026-12-04T15:00:00Z", [], 1, "2026-12-07T15:00:00.000Z"),  // --review-sla-days 1
            ("2026-12-04T00:00:00Z", [], 3, "2026-12-09T00:00:00.000Z"),  // midnight stays midnight
        ] as [(String, [String], Int, String)])
    func due(declared: String, holidays: [String], days: Int, due: String) {
        #expect(calendar(holidays).due(declaredAt: at(declared), businessDays: days).description == due)
    }

    @Test("overdue begins one millisecond after due_at: at due_at exactly the promise still holds")
    func overdueBoundary() {
        let declared = PendingDeclaration(tenantId: "t-1", declaredAt: at("2026-12-04T15:00:00Z"))
        func entry(_ now: String) -> ReviewQueue.Entry {
            ReviewQueue([declared], settings: .init(), now: at(now)).entries[0]
        }
        #expect(entry("2026-12-09T14:59:59.999Z").overdue == false)
        #expect(entry("2026-12-09T14:59:59.999Z").businessDaysWaiting == 2)
        #expect(entry("2026-12-09T15:00:00Z").overdue == false)
        #expect(entry("2026-12-09T15:00:00Z").businessDaysWaiting == 3)
        #expect(entry("2026-12-09T15:00:00.001Z").overdue == true)
        #expect(entry("2026-12-09T15:00:00.001Z").businessDaysWaiting == 3)
    }

    @Test(
        "business_days_waiting: whole business days from the clock's start (the declaration, or the next business day's 00:00)",
        arguments: [
            // (declared, holidays, now, waiting)
            ("2026-12-04T15:00:00Z", [], "2026-12-04T15:00:00Z", 0),
            ("2026-12-04T15:00:00Z", [], "2026-12-06T23:00:00Z", 0),  // the weekend adds nothing
            ("2026-12-04T15:00:00Z", [], "2026-12-07T14:59:59.999Z", 0),
            ("2026-12-04T15:00:00Z", [], "2026-12-07T15:00:00Z", 1),
            ("2026-12-04T15:00:00Z", [], "2026-12-08T16:00:00Z", 2),
            ("2026-12-04T15:00:00Z", ["2026-12-07"], "2026-12-08T15:00:00Z", 1),  // Monday a holiday
            ("2026-12-04T15:00:00Z", ["2026-12-07"], "2026-12-07T23:00:00Z", 0),
            ("2026-12-04T15:00:00Z", [], "2026-12-01T00:00:00Z", 0),  // a clock behind the declaration
            ("2026-12-05T10:00:00Z", [], "2026-12-05T12:00:00Z", 0),  // Saturday: not started yet
            ("2026-12-05T10:00:00Z", [], "2026-12-07T23:59:59.999Z", 0),  // Monday is the first day
            ("2026-12-05T10:00:00Z", [], "2026-12-08T00:00:00Z", 1),
            ("2026-12-05T10:00:00Z", [], "2026-12-10T00:00:00Z", 3),  // at its due_at
            ("2026-12-31T10:00:00Z", [], "2027-01-12T10:00:00Z", 8),  // over the year's end
            ("2026-01-05T09:00:00Z", [], "2027-01-05T09:00:00Z", 261),  // a year later: 52 weeks and a day
        ] as [(String, [String], String, Int)])
    func waiting(declared: String, holidays: [String], now: String, waiting: Int) {
        #expect(calendar(holidays).businessDaysWaiting(declaredAt: at(declared), now: at(now)) == waiting)
    }

    /// The two answers must agree whatever the instants: `due(waiting) <= now < due(waiting + 1)`.
    @Test("waiting and due_at agree for thousands of declarations and clocks, holidays included")
    func waitingAgreesWithDue() {
        let cal = calendar(["2026-12-24", "2026-12-25", "2026-12-28", "2026-12-31", "2027-01-01", "2027-01-04"])
        var seed: UInt64 = 0x5EED
        func next(_ bound: Int64) -> Int64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((seed >> 33) % UInt64(bound))
        }
        let base = at("2026-12-10T00:00:00Z").millis
        for _ in 0..<3_000 {
            let declared = UTCInstant(millis: base + next(40 * UTCInstant.millisPerDay))
            let now = UTCInstant(millis: declared.millis + next(30 * UTCInstant.millisPerDay))
            let k = cal.businessDaysWaiting(declaredAt: declared, now: now)
            // Before the clock starts (a weekend or holiday declaration) the wait is 0 and due(0) is the start.
            let started = now >= cal.clockStart(declared)
            #expect(!started ? k == 0 : cal.due(declaredAt: declared, businessDays: k) <= now, "\(declared) \(now)")
            #expect(cal.due(declaredAt: declared, businessDays: k + 1) > now, "\(declared) \(now)")
        }
    }

    @Test("weekdays are business days unless listed; weekends never are")
    func businessDays() {
        let cal = calendar(["2026-12-25"])
        #expect(cal.isBusinessDay(day("2026-12-24")))
        #expect(!cal.isBusinessDay(day("2026-12-25")))
        #expect(!cal.isBusinessDay(day("2026-12-26")))
        #expect(!cal.isBusinessDay(day("2026-12-27")))
        #expect(cal.isBusinessDay(day("2026-12-28")))
        #expect(cal.clockStart(at("2026-12-25T13:00:00Z")).description == "2026-12-28T00:00:00.000Z")
        #expect(cal.clockStart(at("2026-12-24T13:00:00Z")).description == "2026-12-24T13:00:00.000Z")
    }
}
