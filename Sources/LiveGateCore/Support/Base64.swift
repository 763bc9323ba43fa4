/// RFC 4648 base64: the standard alphabet with padding (dead letters), and the URL alphabet without padding
/// (keys and signatures of signed decisions).
public enum Base64 {
    private static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: standard, pad: true) }

    public static func urlEncode(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: url, pad: false) }

    /// Strict: URL alphabet, no padding, no whitespace, and unused trailing bits zero, so each byte string
    /// has exactly one text. `nil` for anything else.
    public static func urlDecode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        for byte in text.utf8 {
            guard let index = url.firstIndex(of: byte) else { return nil }
            values.append(UInt32(index))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i < values.count {
            let n = min(4, values.count - i)
            var chunk: UInt32 = 0
            for j in 0..<4 { chunk = chunk << 6 | (j < n ? values[i + j] : 0) }
            let produced = n - 1  // 4 characters carry 3 bytes, 3 carry 2, 2 carry 1
            for j in 0..<produced { out.append(UInt8(chunk >> UInt32(16 - 8 * j) & 0xFF)) }
            if produced < 3, chunk & (0xFFFFFF >> UInt32(8 * produced)) != 0 { return nil }
            i += 4
        }
        return out
    }

    private static func encode(_ bytes: [UInt8], alphabet: [UInt8], pad: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk = UInt32(bytes[i]) << 16
            if n > 1 { chunk |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { chunk |= UInt32(bytes[i + 2]) }
            for j in 0..<4 {
                if j <= n {
                    out.append(alphabet[Int(chunk >> UInt32(18 - 6 * j) & 0x3F)])
                } else if pad {
                    out.append(UInt8(ascii: "="))
                }
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
