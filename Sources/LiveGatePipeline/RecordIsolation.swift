import LiveGateCore
import LiveGateStore

/// Applies a batch; when PostgreSQL refuses it for what it holds (`FailureTable`'s `refusesData`), applies halves,
/// in order and each in its own transaction, until the records that fail alone are found. Those come back as
/// `.refused` (an `apply_failed` dead letter each); every other record is applied as usual. For one bad record
/// in a batch of n that is about 2·log2(n) transactions instead of a worker that exits, restarts, reads the
/// same batch and exits again, forcing a rebalance of the whole group each time.
///
/// Halves applied before a later failure stay applied; if the batch is retried (a connection lost midway),
/// the store answers them as repeats, byte for byte. A record that breaks a store invariant on its own (an
/// overshoot, drifting counters) is not dead-lettered: `BrokenInvariant` names it and the worker stops.
struct RecordIsolation {
    /// `LedgerStore.apply`, or `evaluate` for a dry run (whose halves then do not see each other's effects).
    let apply: ([InputEvent]) throws -> [EventOutcome]

    struct BrokenInvariant: Error {
        /// The index in the batch's events of the record that breaks it alone.
        let eventIndex: Int
        let error: StoreError
    }

    /// Outcomes aligned with `events`.
    func run(_ events: [InputEvent]) throws -> [EventOutcome] { try run(events[...]) }

    private func run(_ events: ArraySlice<InputEvent>) throws -> [EventOutcome] {
        guard !events.isEmpty else { return [] }
        do {
            return try apply(Array(events))
        } catch let error as StoreError where FailureTable.apply(error) == .refusesData {
            guard events.count > 1 else {
                let index = events.startIndex
                if error.kind == .invariantViolated { throw BrokenInvariant(eventIndex: index, error: error) }
                return [.refused(Self.reason(events[index], error))]
            }
            let middle = events.startIndex + events.count / 2
            return try run(events[..<middle]) + run(events[middle...])
        }
    }

    /// The dead letter's reason: the SQLSTATE, never the server's text (it may quote the record's values).
    static func reason(_ event: InputEvent, _ error: StoreError) -> DeadLetterReason {
        let state = error.underlying?.sqlState
        return DeadLetterReason(
            .applyFailed,
            "PostgreSQL refused this record alone (SQLSTATE \(state ?? "none")); the rest of its batch was applied",
            eventId: event.eventId, tenantId: event.tenantId, sqlState: state)
    }
}
