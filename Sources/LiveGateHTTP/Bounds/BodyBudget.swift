import Synchronization

/// Bytes of request bodies `serve` holds at once, bounded: each request reserves its body's size before the
/// body is read (what Content-Length says, or the largest body accepted when it says nothing), shrinks the
/// reservation to what it read, and gives it back when answered. A request that does not fit is refused
/// (503) before a byte of its body is read, so many large or slow bodies cannot exhaust memory together.
public final class BodyBudget: Sendable {
    public let capacity: Int
    private let used = Mutex(0)

    public init(bytes: Int) { capacity = max(0, bytes) }

    /// Bytes reserved now.
    public var reserved: Int { used.withLock { $0 } }

    /// A reservation of `bytes`, or nil when it does not fit in what is left.
    public func reserve(_ bytes: Int) -> Reservation? {
        let bytes = max(0, bytes)
        let fits = used.withLock { used -> Bool in
            guard used + bytes <= capacity else { return false }
            used += bytes
            return true
        }
        return fits ? Reservation(budget: self, bytes: bytes) : nil
    }

    fileprivate func give(_ bytes: Int) { used.withLock { $0 -= bytes } }

    /// Part of the budget held by one request; given back once, at `release`.
    public final class Reservation: Sendable {
        private let budget: BodyBudget
        private let bytes: Mutex<Int>

        fileprivate init(budget: BodyBudget, bytes: Int) {
            self.budget = budget
            self.bytes = Mutex(bytes)
        }

        /// Keeps only `size` bytes of it (never grows it).
        public func shrink(to size: Int) {
            let freed = bytes.withLock { held -> Int in
                let kept = min(held, max(0, size))
                defer { held = kept }
                return held - kept
            }
            budget.give(freed)
        }

        /// Gives the whole reservation back; later calls do nothing.
        public func release() { shrink(to: 0) }
    }
}
