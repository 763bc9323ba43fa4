import LiveGateCore
import Postgres

/// Why a batch could not be applied. Nothing of the batch was written when this is thrown.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// PostgreSQL refused or the connection broke; see `underlying`.
        case database
        /// Transaction conflicts kept recurring past the retry bound.
        case retriesExhausted
        /// A stored value broke an invariant the core relies on (a bug or manual tampering): stop, don't guess.
        case invariantViolated
    }

    public let kind: Kind
    public let message: String
    public let underlying: PostgresError?

    // What an error means for a worker (retry, reconnect, isolate) is `FailureTable`'s, in the pipeline.

    /// One line for people: a database failure is PostgreSQL's own ("cannot connect to PostgreSQL at
    /// 127.0.0.1:5432: connection refused"), without a word of ours in front of it.
    public var description: String {
        switch kind {
        case .database:
            return underlying.map(\.description) ?? "PostgreSQL failed: \(message)"
        case .retriesExhausted:
            return "transaction conflicts kept recurring: \(message)" + (underlying.map { " (last: \($0))" } ?? "")
        case .invariantViolated:
            return "a stored value breaks an invariant: \(message)" + (underlying.map { " (\($0))" } ?? "")
        }
    }

    /// A statement failed. The usage `CHECK (used_micros <= limit_micros)` refusing a write is not bad data
    /// but an overshoot the ledger did not foresee: a broken invariant.
    public static func database(_ error: PostgresError) -> StoreError {
        if error.sqlState == "23514" && error.table == "usage_windows" {
            return StoreError(kind: .invariantViolated, message: "usage would exceed its limit", underlying: error)
        }
        return StoreError(kind: .database, message: "statement failed", underlying: error)
    }

    /// Runs `body`, turning what it throws into a `StoreError`: PostgreSQL's errors through `database`, ours
    /// as they are, anything else as a broken invariant.
    static func converting<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            throw .database(error)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .invariant("unexpected \(type(of: error))")
        }
    }

    static func invariant(_ message: String) -> StoreError {
        StoreError(kind: .invariantViolated, message: message, underlying: nil)
    }
}

/// How often a transaction that loses a race (serialization failure, deadlock, or a concurrent insert of the
/// same event id) is run again, and how long to wait in between.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included. Default 8.
    public var maxAttempts: Int
    /// Default: 2 ms doubling up to 200 ms.
    public var backoff: Backoff

    public init(maxAttempts: Int = 8, backoff: Backoff = Backoff(baseMillis: 2, maxMillis: 200)) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
    }
}
