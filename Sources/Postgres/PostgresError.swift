import Redaction

/// A PostgreSQL failure. Its description carries the SQLSTATE and the server's primary message only: never
/// the SQL text and never parameter values, so it is safe to log; any registered secret is masked.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke. A new connection may help.
        case connection
        /// The server refused a statement; `sqlState` says why.
        case server
        /// A result that the caller did not expect (wrong shape, unexpected value).
        case protocolViolation
    }

    public let kind: Kind
    /// The five-character SQLSTATE, when the server sent one.
    public let sqlState: String?
    public let message: String
    /// The table and the constraint the error concerns, when the server named them (names, never values).
    public let table: String?
    public let constraint: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, table: String? = nil, constraint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = Redaction.redact(message)
        self.table = table
        self.constraint = constraint
    }

    /// Serialization failure or deadlock: the transaction lost a race and may simply be run again.
    public var isTransactionConflict: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// Connection-class failures (SQLSTATE class 08, admin shutdown 57P01..57P03) and broken connections.
    public var isConnectionFailure: Bool {
        kind == .connection || sqlState?.hasPrefix("08") == true
            || ["57P01", "57P02", "57P03"].contains(sqlState ?? "")
    }

    // Which SQLSTATEs a worker retries, reconnects for or isolates is `FailureTable`'s, in the pipeline.

    /// One line a person reads without knowing the code: "cannot connect to PostgreSQL at 127.0.0.1:5432:
    /// connection refused", "PostgreSQL refused the statement (SQLSTATE 42P01): relation "tenants" does not exist".
    public var description: String {
        let state = sqlState.map { " (SQLSTATE \($0))" } ?? ""
        switch kind {
        case .connection:
            return Self.connectFailure(message) ?? "PostgreSQL connection failed\(state): \(message)"
        case .server:
            return "PostgreSQL refused the statement\(state): \(message)"
        case .protocolViolation:
            return "unexpected answer from PostgreSQL: \(message)"
        }
    }

    /// libpq's "connection to server at "HOST", port PORT failed: REASON" (or "… on socket "PATH" failed: …"),
    /// said as "cannot connect to PostgreSQL at HOST:PORT: reason"; nil for any other message.
    static func connectFailure(_ message: String) -> String? {
        let lead = "connection to server "
        guard message.hasPrefix(lead), let failed = message.firstRange(of: " failed: ") else { return nil }
        let place = message[message.index(message.startIndex, offsetBy: lead.count)..<failed.lowerBound]
        let quoted = place.split(separator: "\"", omittingEmptySubsequences: false)
        guard quoted.count >= 3 else { return nil }
        let name = String(quoted[1])
        let whereText: String
        if place.hasPrefix("on socket") {
            whereText = "on socket \(name)"
        } else if let port = place.firstRange(of: ", port ").map({ place[$0.upperBound...] }), !port.isEmpty {
            whereText = "at " + (name.contains(":") ? "[\(name)]" : name) + ":" + port
        } else {
            whereText = "at \(name)"
        }
        return "cannot connect to PostgreSQL \(whereText): " + reason(String(message[failed.upperBound...]))
    }

    /// The server's or the system's reason as a clause: "FATAL:  " dropped, "Connection refused" lowercased.
    static func reason(_ text: String) -> String {
        var text = Substring(text)
        for severity in ["FATAL:", "ERROR:"] where text.hasPrefix(severity) {
            text = text.dropFirst(severity.count).drop { $0 == " " }
        }
        guard let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase == true else {
            return String(text)
        }
        return first.lowercased() + text.dropFirst()
    }
}
