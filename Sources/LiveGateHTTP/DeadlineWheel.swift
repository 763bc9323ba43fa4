/// Deadlines kept by the slot they fall in (a timing wheel): adding and removing one is O(1), and one sweep
/// hands over every entry whose slot has begun, so thousands of waiting requests cost one timer, not one
/// each. An entry is due at most one slot late. Pure data: the caller owns the clock and the lock.
struct DeadlineWheel<Entry> {
    let slot: Duration
    let origin: ContinuousClock.Instant
    private var buckets: [Int64: [UInt64: Entry]] = [:]
    /// Where each entry is, by id, so it can be taken out before it is due.
    private var slotOf: [UInt64: Int64] = [:]
    /// Every slot up to this one has been handed over.
    private var swept: Int64 = -1

    init(slot: Duration, origin: ContinuousClock.Instant) {
        self.slot = slot
        self.origin = origin
    }

    /// Entries waiting.
    var count: Int { slotOf.count }

    /// Adds (or moves) entry `id`, due at `deadline`.
    mutating func insert(_ entry: Entry, id: UInt64, at deadline: ContinuousClock.Instant) {
        remove(id)
        // Rounded up, so nothing is due early; a deadline already past is due when the next slot begins.
        let key = max(slotIndex(deadline, roundingUp: true), swept + 1)
        buckets[key, default: [:]][id] = entry
        slotOf[id] = key
    }

    mutating func remove(_ id: UInt64) {
        guard let key = slotOf.removeValue(forKey: id) else { return }
        buckets[key]?.removeValue(forKey: id)
        if buckets[key]?.isEmpty == true { buckets[key] = nil }
    }

    /// Takes out and returns every entry due by `now`.
    mutating func due(at now: ContinuousClock.Instant) -> [Entry] {
        let last = slotIndex(now, roundingUp: false)
        guard last > swept else { return [] }
        var due: [Entry] = []
        // Few slots hold entries: walk the buckets when that is shorter than the slots passed.
        let keys =
            last - swept <= Int64(buckets.count) ? Array(swept + 1...last) : buckets.keys.filter { $0 <= last }.sorted()
        for key in keys {
            guard let bucket = buckets.removeValue(forKey: key) else { continue }
            for (id, entry) in bucket {
                slotOf[id] = nil
                due.append(entry)
            }
        }
        swept = last
        return due
    }

    /// Whole nanoseconds, so an instant and the slot it falls in agree exactly (a Double would merge
    /// instants nanoseconds apart after weeks of uptime).
    private func slotIndex(_ instant: ContinuousClock.Instant, roundingUp: Bool) -> Int64 {
        let elapsed = Self.nanoseconds(instant - origin), width = max(1, Self.nanoseconds(slot))
        let (index, rest) = elapsed.quotientAndRemainder(dividingBy: width)
        return roundingUp && rest > 0 ? index + 1 : index
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
