/// Bounded exponential backoff with full jitter, for anything that retries: lost transaction races, an
/// unreachable database, a broker that refuses writes.
public struct Backoff: Sendable {
    /// Delay bound before the first retry, doubled each time.
    public var baseMillis: Int
    /// Upper bound of one delay.
    public var maxMillis: Int

    public init(baseMillis: Int, maxMillis: Int) {
        self.baseMillis = baseMillis
        self.maxMillis = maxMillis
    }

    /// A random delay in `0...min(maxMillis, baseMillis × 2^(attempt−1))`, so racing workers spread out.
    public func delayMillis(afterAttempt attempt: Int) -> Int {
        let bound = min(maxMillis, baseMillis << min(max(attempt - 1, 0), 20))
        return Int.random(in: 0...max(bound, 1))
    }
}
