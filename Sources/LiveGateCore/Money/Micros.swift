/// An exact amount of US dollars (or USDC, counted 1:1) as an integer count of micro-dollars.
///
/// Every amount on the money path is one of these; nothing on it is ever a floating-point number.
public struct Micros: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: Int64

    public init(_ value: Int64) { self.value = value }

    public static let perDollar: Int64 = 1_000_000
    /// The largest amount an attempt or a ceiling may carry: $1,000,000,000.
    public static let maximum = Micros(1_000_000_000 * perDollar)
    public static let zero = Micros(0)
    /// Where usage metered without a limit stops counting: a thousand times the largest amount ($10^12), far
    /// enough from Int64's end that adding one more amount can never overflow.
    public static let meteringCap = Micros(maximum.value * 1_000)

    public static func dollars(_ dollars: Int64) -> Micros { Micros(dollars * perDollar) }

    public static func < (a: Micros, b: Micros) -> Bool { a.value < b.value }
    public static func + (a: Micros, b: Micros) -> Micros { Micros(a.value + b.value) }
    public static func - (a: Micros, b: Micros) -> Micros { Micros(a.value - b.value) }

    /// Parses the contract's amount grammar `^[0-9]+(\.[0-9]{1,6})?$`, then requires `0 < amount <= maximum`.
    /// ASCII digits only: full-width digits, signs, exponents, spaces and separators are refused.
    public init?(parsing text: String) {
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var wholeDigits = 0
        var seenPoint = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint, wholeDigits > 0 else { return nil }
                seenPoint = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= 6 else { return nil }
                fraction = fraction * 10 + digit
            } else {
                wholeDigits += 1
                // Leading zeros are allowed ("007.5"); stop growing once past the maximum to avoid overflow.
                guard whole <= 1_000_000_000 else { return nil }
                whole = whole * 10 + digit
            }
        }
        guard wholeDigits > 0, !seenPoint || fractionDigits > 0, whole <= 1_000_000_000 else { return nil }
        for _ in fractionDigits..<6 { fraction *= 10 }
        let micros = whole * Micros.perDollar + fraction
        guard micros > 0, micros <= Micros.maximum.value else { return nil }
        self.value = micros
    }

    /// The decimal string, with at least 2 and at most 6 fraction digits: "42.50", "0.000001", "100.00".
    public var description: String {
        ASCIIDigits.string(capacity: 24) { out in
            if value < 0 { out.append(UInt8(ascii: "-")) }
            let magnitude = value.magnitude
            ASCIIDigits.append(magnitude / UInt64(Micros.perDollar), to: &out)
            out.append(UInt8(ascii: "."))
            var fraction = magnitude % UInt64(Micros.perDollar)
            var digits = 6
            while digits > 2, fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            ASCIIDigits.append(fraction, width: digits, to: &out)
        }
    }
}
