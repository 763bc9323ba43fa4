/// RFC 8785, the JSON Canonicalization Scheme: the bytes an Ed25519 signature of a decision covers.
/// Unlike `canonicalText` (LiveGate's own idempotency form, which keeps every number's exact value), JCS is
/// what any signer in any language produces: members sorted by their UTF-16 code units, strings with the
/// fewest escapes, numbers as IEEE 754 doubles printed the way ECMAScript prints them.
public enum JCSError: Error, Equatable, Sendable {
    /// A number that is not a finite double (JCS has no form for it).
    case numberOutOfRange(String)
}

extension JSONValue {
    public func jcsBytes() throws(JCSError) -> [UInt8] {
        var out: [UInt8] = []
        try JCS.write(self, into: &out)
        return out
    }
}

enum JCS {
    static func write(_ value: JSONValue, into out: inout [UInt8]) throws(JCSError) {
        switch value {
        case .null: out += "null".utf8
        case let .bool(b): out += (b ? "true" : "false").utf8
        case let .number(literal):
            guard let double = Double(literal), double.isFinite else { throw .numberOutOfRange(literal) }
            out += number(double).utf8
        case let .string(s): string(s, into: &out)
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            let sorted = members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Only `"`, `\` and the C0 controls are escaped; the short forms where JSON has one, else `\u00xx`.
    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += #"\""#.utf8
            case UInt8(ascii: "\\"): out += #"\\"#.utf8
            case 0x08: out += #"\b"#.utf8
            case 0x09: out += #"\t"#.utf8
            case 0x0A: out += #"\n"#.utf8
            case 0x0C: out += #"\f"#.utf8
            case 0x0D: out += #"\r"#.utf8
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += #"\u00"#.utf8
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// ECMAScript's Number::toString for a finite double. Swift's `description` already gives the shortest
    /// digits that read back as the same double (the closest such when several exist), which is what
    /// ECMAScript asks for; only the layout differs.
    static func number(_ value: Double) -> String {
        if value == 0 { return "0" }  // and -0
        if value < 0 { return "-" + number(-value) }
        // description: digits with an optional point, then an optional e±exponent ("1e-07", "0.002", "1e+30").
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1])! : 0
        let integerPart = mantissa.split(separator: ".", omittingEmptySubsequences: false)[0]
        var digits = Array(mantissa.utf8.filter { $0 != UInt8(ascii: ".") })
        var point = integerPart.utf8.count + exponent  // value = 0.digits × 10^point
        while digits.first == UInt8(ascii: "0") { digits.removeFirst(); point -= 1 }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        let s = String(decoding: digits, as: UTF8.self)
        let k = digits.count, n = point
        if k <= n && n <= 21 { return s + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return String(s.prefix(n)) + "." + String(s.dropFirst(n)) }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + s }
        let e = n - 1
        let head = k == 1 ? s : String(s.prefix(1)) + "." + String(s.dropFirst())
        return head + "e" + (e < 0 ? "-" : "+") + String(e.magnitude)
    }
}
