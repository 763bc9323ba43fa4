import Crypto

/// Lowercase hex of a SHA-256: dead letters describe their original with it, and processed events keep it
/// as the idempotency fingerprint instead of the input itself.
public enum SHA256Hex {
    public static func of(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
