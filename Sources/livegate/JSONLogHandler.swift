import Foundation
import LiveGateCore
import LiveGateStore
import Logging

/// `--log-format json`: one JSON object per line on stderr, `{"time", "level", "logger", "message", ...}` with
/// the metadata as string members, for log collectors that parse lines.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    private static let lock = NSLock()

    func log(
        level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        let time = WallClock.now().description
        var members: [(key: String, value: JSONValue)] = [
            ("time", .string(time)), ("level", .string(level.rawValue)), ("logger", .string(label)),
            ("message", .string(message.description)),
        ]
        let all = metadata.merging(extra ?? [:]) { $1 }
        for (key, value) in all.sorted(by: { $0.key < $1.key })
        where !["time", "level", "logger", "message"].contains(key) {
            members.append((key, .string(value.description)))
        }
        let bytes = JSONWriter.bytes(.object(members)) + [0x0A]
        Self.lock.lock()
        defer { Self.lock.unlock() }
        bytes.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count) }  // one write per line
    }

    /// Whether the command line or `LIVEGATE_LOG_FORMAT` asks for JSON lines; read before anything logs.
    static func requested(_ arguments: [String]) -> Bool {
        if let i = arguments.firstIndex(of: "--log-format"), i + 1 < arguments.count {
            return arguments[i + 1] == "json"
        }
        if let inline = arguments.first(where: { $0.hasPrefix("--log-format=") }) { return inline.hasSuffix("=json") }
        return Env.get("LIVEGATE_LOG_FORMAT") == "json"
    }
}
