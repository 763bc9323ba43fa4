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

    /// Whether running the same batch again later may succeed (connection trouble, lost races).
    public var isRetryable: Bool {
        kind == .retriesExhausted || underlying?.isConnectionFailure == true
    }

    public var description: String {
        "store \(kind): \(message)" + (underlying.map { " (\($0))" } ?? "")
    }

    static func database(_ error: PostgresError) -> StoreError {
        StoreError(kind: .database, message: "statement failed", underlying: error)
    }

    static func invariant(_ message: String) -> StoreError {
        StoreError(kind: .invariantViolated, message: message, underlying: nil)
    }
}

/// Bounded exponential backoff for transactions that lose a race (serialization failure, deadlock, or a
/// concurrent insert of the same event id).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included. Default 8.
    public var maxAttempts: Int
    /// Delay before the first retry, doubled each time. Default 2 ms.
    public var baseDelayMillis: Int
    /// Upper bound of one delay. Default 200 ms.
    public var maxDelayMillis: Int

    public init(maxAttempts: Int = 8, baseDelayMillis: Int = 2, maxDelayMillis: Int = 200) {
        self.maxAttempts = maxAttempts
        self.baseDelayMillis = baseDelayMillis
        self.maxDelayMillis = maxDelayMillis
    }

    /// Full jitter: a random delay up to the exponential bound, so racing workers spread out.
    func delayMillis(afterAttempt attempt: Int) -> Int {
        let bound = min(maxDelayMillis, baseDelayMillis << min(attempt - 1, 16))
        return Int.random(in: 0...max(bound, 1))
    }
}
