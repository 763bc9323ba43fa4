import LiveGateCore
import Testing

@Suite("UTC instants, days and months")
struct TimeTests {
    func instant(_ text: String) -> UTCInstant { RFC3339.parse(text)! }

    @Test(
        "RFC 3339 forms that parse",
        arguments: [
            ("2026-11-29T12:00:00Z", "2026-11-29T12:00:00.000Z"),
            ("2026-11-29t12:00:00z", "2026-11-29T12:00:00.000Z"),
            ("2026-11-29T12:00:00.5Z", "2026-11-29T12:00:00.500Z"),
            ("2026-11-29T12:00:00.123456789Z", "2026-11-29T12:00:00.123Z"),
            ("2026-11-29T23:30:00-01:00", "2026-11-30T00:30:00.000Z"),
            ("2026-11-30T00:30:00+01:00", "2026-11-29T23:30:00.000Z"),
            ("2028-02-29T00:00:00+14:00", "2028-02-28T10:00:00.000Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
            ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ])
    func parses(text: String, utc: String) {
        #expect(RFC3339.parse(text)?.description == utc)
    }

    @Test(
        "RFC 3339 forms that do not",
        arguments: [
            "2026-11-29T12:00:00", "2026-11-29 12:00:00Z", "2026-11-29", "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T12:60:00Z",
            "2026-11-29T12:00:60Z", "2026-11-29T12:00:00.Z", "2026-11-29T12:00:00+0100", "2026-11-29T12:00:00+24:00",
            "26-11-29T12:00:00Z", "2026-11-29T12:00:00ZZ", "２０２６-11-29T12:00:00Z", "",
        ])
    func refuses(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("the day changes at UTC midnight, not a millisecond earlier")
    func dayChange() {
        let last = instant("2026-11-29T23:59:59.999Z")
        let first = instant("2026-11-30T00:00:00Z")
        #expect(UsageWindow.day(containing: last).start.description == "2026-11-29")
        #expect(UsageWindow.day(containing: first).start.description == "2026-11-30")
        #expect(UsageWindow.day(containing: last).resetsAt == first)
        #expect(UsageWindow.day(containing: first).startInstant == first)
    }

    @Test("the month changes on 31 December into the next year")
    func yearEnd() {
        let last = instant("2026-12-31T23:59:59.999Z")
        let month = UsageWindow.month(containing: last)
        #expect(month.start.description == "2026-12-01")
        #expect(month.resetsAt.description == "2027-01-01T00:00:00.000Z")
        #expect(UsageWindow.month(containing: instant("2027-01-01T00:00:00Z")).start.description == "2027-01-01")
    }

    @Test("29 February belongs to February and March starts after it")
    func leapDay() {
        let leap = instant("2028-02-29T23:59:59.999Z")
        #expect(UsageWindow.day(containing: leap).start.description == "2028-02-29")
        #expect(UsageWindow.month(containing: leap).start.description == "2028-02-01")
        #expect(UsageWindow.month(containing: leap).resetsAt.description == "2028-03-01T00:00:00.000Z")
        #expect(UsageWindow.day(containing: leap).resetsAt.description == "2028-03-01T00:00:00.000Z")
    }

    @Test("an offset moves the instant onto the right UTC day and month")
    func offsets() {
        let lateLocal = instant("2026-11-30T23:30:00-01:00")  // 2026-12-01T00:30Z
        #expect(UsageWindow.day(containing: lateLocal).start.description == "2026-12-01")
        #expect(UsageWindow.month(containing: lateLocal).start.description == "2026-12-01")
        let earlyLocal = instant("2026-12-01T00:30:00+01:00")  // 2026-11-30T23:30Z
        #expect(UsageWindow.day(containing: earlyLocal).start.description == "2026-11-30")
        #expect(UsageWindow.month(containing: earlyLocal).start.description == "2026-11-01")
    }

    @Test("civil dates round-trip through epoch days for four centuries")
    func civilRoundTrip() {
        var day = CivilDate(year: 1900, month: 1, day: 1).epochDay
        let end = CivilDate(year: 2300, month: 1, day: 1).epochDay
        var previous = CivilDate(epochDay: day - 1)
        while day < end {
            let date = CivilDate(epochDay: day)
            #expect(date.epochDay == day)
            #expect(previous < date)
            previous = date
            day += 1
        }
    }
}
