/// Parses RFC 3339 timestamps with a mandatory offset (`Z`, `z` or `±HH:MM`), e.g.
/// `2026-11-28T10:00:00Z` or `2026-11-28T10:00:00.123-01:00`. Fractions finer than a millisecond are
/// truncated, never rounded, so an instant never moves into the next day or month.
public enum RFC3339 {
    public static func parse(_ text: String) -> UTCInstant? {
        let b = Array(text.utf8)
        guard b.count >= 20, b.count <= 40 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var n: Int64 = 0
            for i in range {
                guard i < b.count, (0x30...0x39).contains(b[i]) else { return nil }
                n = n * 10 + Int64(b[i] - 0x30)
            }
            return n
        }
        guard let year = number(0..<4), b[4] == UInt8(ascii: "-"), let month = number(5..<7),
            b[7] == UInt8(ascii: "-"), let day = number(8..<10), b[10] | 0x20 == UInt8(ascii: "t"),
            let hour = number(11..<13), b[13] == UInt8(ascii: ":"), let minute = number(14..<16),
            b[16] == UInt8(ascii: ":"), let second = number(17..<19)
        else { return nil }
        guard (1...12).contains(month), (1...CivilDate.daysIn(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var i = 19
        var millis: Int64 = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < b.count, (0x30...0x39).contains(b[i]) {
                if i - fractionStart < 3 { millis = millis * 10 + Int64(b[i] - 0x30) }
                i += 1
            }
            guard i > fractionStart else { return nil }
            for _ in min(3, i - fractionStart)..<3 { millis *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetMinutes: Int64 = 0
        if b[i] | 0x20 == UInt8(ascii: "z") {
            i += 1
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), let oh = number(i + 1..<i + 3),
                i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = number(i + 4..<i + 6), oh < 24, om < 60
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        }
        guard i == b.count else { return nil }
        let local =
            CivilDate(year: year, month: month, day: day).epochDay * UTCInstant.millisPerDay
            + ((hour * 60 + minute) * 60 + second) * 1000 + millis
        let instant = UTCInstant(millis: local - offsetMinutes * 60_000)
        // Years 0001–9999 in UTC too: an offset must not push an instant outside what every store can hold.
        return (1...9999).contains(instant.date.year) ? instant : nil
    }
}
