import LiveGateCore
import Postgres

/// The audit trail of `livegate replay`: who replayed what range, when, and with what result.
public final class ReplayAudit {
    public struct Counts: Sendable {
        public var records = 0
        public var applied = 0
        public var duplicates = 0
        public var conflicts = 0
        public var deadLetters = 0

        public init() {}
    }

    private let connection: PostgresConnection
    public let id: Int64

    /// Records the start of a replay of `ranges` (first and last offset per partition) and returns its audit
    /// row. `wholeTopic`: every partition of the topic was asked for, so the row names no one partition.
    public init(
        url: String, operator who: String, topic: String, ranges: [Int32: ClosedRange<Int64>],
        wholeTopic: Bool, dryRun: Bool, forced: Bool
    ) throws(StoreError) {
        connection = try LedgerStore.connect(url)
        let one = wholeTopic ? nil : ranges.first
        precondition(wholeTopic || ranges.count == 1, "a one-partition replay has one range")
        // Numbers only, so the JSON is built here; it is still a parameter.
        let listed = ranges.sorted { $0.key < $1.key }.map { partition, range in
            #"{"partition":\#(partition),"first":\#(range.lowerBound),"last":\#(range.upperBound)}"#
        }
        let rows: PostgresRows
        do {
            rows = try connection.query(
                """
                INSERT INTO replay_audit (operator, topic, partition, from_offset, to_offset, dry_run, forced, ranges)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING id
                """,
                [
                    who, topic, one.map { String($0.key) }, one.map { String($0.value.lowerBound) },
                    one.map { String($0.value.upperBound) }, dryRun ? "t" : "f", forced ? "t" : "f",
                    "[" + listed.joined(separator: ",") + "]",
                ])
        } catch {
            throw .database(error)
        }
        guard let id = rows.rows.first?.first.flatMap({ $0 }).flatMap(Int64.init) else {
            throw .invariant("replay_audit returned no id")
        }
        self.id = id
    }

    public func finish(_ counts: Counts, result: String) throws(StoreError) {
        do {
            try connection.query(
                """
                UPDATE replay_audit SET finished_at = now(), records = $2, applied = $3, duplicates = $4,
                    conflicts = $5, dead_letters = $6, result = $7 WHERE id = $1
                """,
                [
                    String(id), String(counts.records), String(counts.applied), String(counts.duplicates),
                    String(counts.conflicts), String(counts.deadLetters), result,
                ])
        } catch {
            throw .database(error)
        }
    }

    /// Members of `group` that reported within `seconds`.
    public static func liveMembers(url: String, group: String, seconds: Int) throws(StoreError) -> [String] {
        let connection = try LedgerStore.connect(url)
        do {
            return try connection.query(
                """
                SELECT member FROM worker_heartbeats
                WHERE group_id = $1 AND seen_at > now() - $2::int * interval '1 second' ORDER BY member
                """, [group, String(seconds)]
            ).rows.compactMap { $0.first ?? nil }
        } catch {
            throw .database(error)
        }
    }
}
