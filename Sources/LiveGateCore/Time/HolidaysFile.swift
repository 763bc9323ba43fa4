/// The holidays file of `--holidays` (`LIVEGATE_HOLIDAYS`): one `YYYY-MM-DD` a line; blank lines and `#`
/// comments (whole lines or after a date) are allowed. A line that is not a real date refuses the whole file
/// with its number: a typo silently ignored would move every `due_at` by a day.
public enum HolidaysFile {
    /// The most lines a file may have, comments included; a bound on what one start reads.
    public static let maxLines = BusinessCalendar.maxHolidays
    /// The most bytes a file may have (`maxLines` lines of a date and a short comment).
    public static let maxBytes = 512 * 1024

    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based; 0 when the file as a whole is refused (too long).
        public let line: Int
        public let reason: String

        public init(line: Int, reason: String) { (self.line, self.reason) = (line, reason) }

        public var description: String {
            line == 0 ? "the holidays file \(reason)" : "holidays file line \(line): \(reason)"
        }
    }

    public static func parse(_ text: String) throws(Refusal) -> BusinessCalendar {
        guard text.utf8.count <= maxBytes else {
            throw Refusal(line: 0, reason: "is larger than \(maxBytes) bytes")
        }
        // "\r\n" is one Character in Swift: a file saved with CRLF line ends splits the same.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        guard lines.count <= maxLines else {
            throw Refusal(line: 0, reason: "has more than \(maxLines) lines")
        }
        var dates: [CivilDate] = []
        for (index, line) in lines.enumerated() {
            let content = line.prefix { $0 != "#" }.trimmingSpaces
            if content.isEmpty { continue }
            guard let date = date(content) else {
                throw Refusal(line: index + 1, reason: "is not a date YYYY-MM-DD")
            }
            dates.append(date)
        }
        return BusinessCalendar(holidays: dates)
    }

    /// A real calendar date written exactly `YYYY-MM-DD`, years 0001–9999.
    static func date(_ text: Substring) -> CivilDate? {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var n: Int64 = 0
            for i in range {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                n = n * 10 + Int64(b[i] - 0x30)
            }
            return n
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1,
            (1...12).contains(month), (1...CivilDate.daysIn(year: year, month: month)).contains(day)
        else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }
}

extension Substring {
    /// Without leading and trailing spaces, tabs and carriage returns (a file saved with CRLF line ends).
    fileprivate var trimmingSpaces: Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
