import LiveGateCore
import Testing

@Suite("The holidays file")
struct HolidaysFileTests {
    @Test("one date a line; blank lines, comments and CRLF line ends are allowed; duplicates count once")
    func parses() throws {
        let text = "# public holidays\r\n2026-12-25\r\n\n  2026-12-24   # Christmas Eve\n2026-12-25\n\t\n2027-01-01"
        let calendar = try HolidaysFile.parse(text)
        #expect(calendar.holidays.count == 3)
        #expect(!calendar.isBusinessDay(CivilDate(year: 2026, month: 12, day: 24)))
        #expect(!calendar.isBusinessDay(CivilDate(year: 2027, month: 1, day: 1)))
        #expect(try HolidaysFile.parse("").holidays.isEmpty)
    }

    @Test(
        "a line that is not a real YYYY-MM-DD refuses the file with its number",
        arguments: [
            "2026-02-29", "2026-13-01", "2026-1-05", "26-01-05", "2026/01/05", "2026-01-05x", "0000-01-01",
            "2026-01-05T00:00:00Z", "tomorrow",
        ])
    func refuses(line: String) {
        let text = "# ok\n2026-12-25\n\(line)\n2027-01-01\n"
        #expect(throws: HolidaysFile.Refusal(line: 3, reason: "is not a date YYYY-MM-DD")) {
            try HolidaysFile.parse(text)
        }
    }

    @Test("a file of more lines than the bound is refused as a whole")
    func bounded() {
        let text = Array(repeating: "# nothing", count: HolidaysFile.maxLines + 1).joined(separator: "\n")
        #expect(throws: HolidaysFile.Refusal.self) { try HolidaysFile.parse(text) }
        let atBound = Array(repeating: "2026-12-25", count: HolidaysFile.maxLines).joined(separator: "\n")
        #expect((try? HolidaysFile.parse(atBound))?.holidays.count == 1)
    }
}
