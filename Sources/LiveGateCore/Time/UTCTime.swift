/// An instant as milliseconds since 1970-01-01T00:00:00Z. All LiveGate windows are computed from these in
/// UTC; the worker's own time zone and clock never enter a decision.
public struct UTCInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let millis: Int64

    public init(millis: Int64) { self.millis = millis }

    public static let millisPerDay: Int64 = 86_400_000

    public static func < (a: UTCInstant, b: UTCInstant) -> Bool { a.millis < b.millis }

    /// Days since the epoch of the UTC date this instant falls on.
    public var epochDay: Int64 { floorDivide(millis, UTCInstant.millisPerDay) }

    public var date: CivilDate { CivilDate(epochDay: epochDay) }

    /// `YYYY-MM-DDTHH:MM:SS.sssZ`, always with milliseconds, so every timestamp LiveGate writes has one shape.
    public var description: String {
        let msOfDay = millis - epochDay * UTCInstant.millisPerDay
        return ASCIIDigits.string(capacity: 24) { out in
            date.write(to: &out)
            out.append(UInt8(ascii: "T"))
            ASCIIDigits.append(msOfDay / 3_600_000, width: 2, to: &out)
            out.append(UInt8(ascii: ":"))
            ASCIIDigits.append(msOfDay / 60_000 % 60, width: 2, to: &out)
            out.append(UInt8(ascii: ":"))
            ASCIIDigits.append(msOfDay / 1000 % 60, width: 2, to: &out)
            out.append(UInt8(ascii: "."))
            ASCIIDigits.append(msOfDay % 1000, width: 3, to: &out)
            out.append(UInt8(ascii: "Z"))
        }
    }
}

/// A proleptic Gregorian calendar date.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int64
    public let month: Int64
    public let day: Int64

    public init(year: Int64, month: Int64, day: Int64) {
        (self.year, self.month, self.day) = (year, month, day)
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// Howard Hinnant's days-from-civil, exact for every date in range.
    public var epochDay: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(epochDay: Int64) {
        let z = epochDay + 719_468
        let era = floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    public var startInstant: UTCInstant { UTCInstant(millis: epochDay * UTCInstant.millisPerDay) }

    public var firstOfMonth: CivilDate { CivilDate(year: year, month: month, day: 1) }

    public var firstOfNextMonth: CivilDate {
        month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
    }

    public static func daysIn(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD`.
    public var description: String { ASCIIDigits.string(capacity: 10) { write(to: &$0) } }

    func write(to out: inout [UInt8]) {
        ASCIIDigits.append(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        ASCIIDigits.append(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        ASCIIDigits.append(day, width: 2, to: &out)
    }
}

func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
