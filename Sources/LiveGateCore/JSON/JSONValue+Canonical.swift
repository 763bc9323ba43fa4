extension JSONValue {
    /// The text two events are compared by for idempotency: members sorted by name (UTF-8 byte order),
    /// no whitespace, numbers in one normal form. Key order, spacing, escapes and `1500` versus `1.5e3`
    /// do not make two events different; any other change of content does.
    public var canonicalText: String {
        String(decoding: JSONWriter.bytes(canonicalized), as: UTF8.self)
    }

    var canonicalized: JSONValue {
        switch self {
        case .null, .bool, .string: return self
        case let .number(literal): return .number(Self.canonicalNumber(literal))
        case let .array(elements): return .array(elements.map(\.canonicalized))
        case let .object(members):
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return .object(sorted.map { ($0.key, $0.value.canonicalized) })
        }
    }

    /// `[-]D.DDDeN` with no trailing zeros in the mantissa, or `0`: equal numbers, equal text.
    static func canonicalNumber(_ literal: String) -> String {
        var negative = false
        var digits: [UInt8] = []
        var pointPosition: Int? = nil
        var exponent = 0
        var bytes = Substring(literal).utf8[...]
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            if byte == UInt8(ascii: ".") { pointPosition = digits.count } else { digits.append(byte) }
            bytes = bytes.dropFirst()
        }
        var hugeExponent: String? = nil
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            let exponentText = String(decoding: bytes, as: UTF8.self)
            if let small = Int(exponentText), small.magnitude < 1 << 53 {
                exponent = small
            } else {
                // Beyond any real value: kept verbatim, so two such spellings differ unless they are identical
                // (a possible false conflict, never a false duplicate).
                hugeExponent = exponentText
            }
        }
        let integerCount = pointPosition ?? digits.count
        guard let firstNonZero = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }) else { return "0" }
        let lastNonZero = digits.lastIndex(where: { $0 != UInt8(ascii: "0") })!
        let significant = digits[firstNonZero...lastNonZero]
        let scientificExponent = exponent + integerCount - firstNonZero - 1
        var text = negative ? "-" : ""
        text += String(decoding: significant.prefix(1), as: UTF8.self)
        if significant.count > 1 { text += "." + String(decoding: significant.dropFirst(), as: UTF8.self) }
        if let hugeExponent { return text + "e\(hugeExponent)+\(scientificExponent)" }
        return text + "e\(scientificExponent)"
    }
}
