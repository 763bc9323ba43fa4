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

    public var description: String {
        "PostgreSQL \(kind)" + (sqlState.map { " [\($0)]" } ?? "") + ": \(message)"
    }
}
