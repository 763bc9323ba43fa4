import Synchronization

/// The secrets this process was given (database passwords, secret Kafka properties), and the one function
/// that keeps them out of every text it shows: errors, log lines, the terminal. Whoever reads a secret
/// registers it; whatever prints passes its text through `redact`.
public enum Redaction {
    public static let mask = "***"
    /// Registered secrets as UTF-8, longest first, so one that contains another is masked whole.
    private static let secrets = Mutex<[[UInt8]]>([])
    /// Bound on how many are kept: each is searched for in every line.
    static let maxSecrets = 64

    public static func register(_ values: [String]) {
        let fresh = values.map { Array($0.utf8) }.filter { !$0.isEmpty }
        guard !fresh.isEmpty else { return }
        secrets.withLock { list in
            for value in fresh where !list.contains(value) && list.count < maxSecrets { list.append(value) }
            list.sort { $0.count > $1.count }
        }
    }

    /// `text` with every registered secret replaced by `mask`, compared byte for byte.
    public static func redact(_ text: String) -> String {
        let list = secrets.withLock { $0 }
        guard !list.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var changed = false
        scan: while i < bytes.count {
            for secret in list
            where bytes.count - i >= secret.count && bytes[i] == secret[0]
                && bytes[i..<(i + secret.count)].elementsEqual(secret)
            {
                out += mask.utf8
                i += secret.count
                changed = true
                continue scan
            }
            out.append(bytes[i])
            i += 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }
}
