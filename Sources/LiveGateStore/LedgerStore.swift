import LiveGateCore
import Postgres

#if canImport(Glibc)
    import Glibc
#endif

/// Applies batches of decoded input events to PostgreSQL, each batch in one transaction, and returns what
/// to publish. Owns one connection; use one store per worker thread.
///
/// Within a batch's transaction: every tenant the batch touches is locked (`TenantLocks`: an advisory lock
/// per tenant, in one fixed order, so concurrent batches cannot deadlock on each other), then the processed
/// events and usage are read, the pure `Ledger` decides, and the results are written and checked before the
/// commit; the statements travel in libpq pipelines, three round trips a batch. Because every change of a
/// tenant's usage happens under that tenant's lock, no two workers can both spend the same headroom.
public final class LedgerStore {
    public let rules: Rules
    public let retry: RetryPolicy
    private let url: String
    var connection: PostgresConnection
    /// When the last `apply` had read its snapshot (under the locks) and written its rows, in epoch
    /// microseconds: the stages inside a batch's transaction, for the bench's `StageStamps`.
    public private(set) var lastRead: Int64 = 0
    public private(set) var lastWritten: Int64 = 0

    public init(url: String, rules: Rules = .standard, retry: RetryPolicy = RetryPolicy()) throws(StoreError) {
        self.url = url
        self.rules = rules
        self.retry = retry
        self.connection = try Self.connect(url)
    }

    /// A connection with the session settings every LiveGate query relies on (UTF-8, ISO dates, UTC).
    /// `connectTimeoutSeconds` (at least 2, libpq's minimum) replaces the default 10 s.
    public static func connect(_ url: String, connectTimeoutSeconds: Int? = nil) throws(StoreError)
        -> PostgresConnection
    {
        do {
            let connection = try PostgresConnection(
                url: url,
                overriding: connectTimeoutSeconds.map {
                    [("connect_timeout", String(max(2, $0)))]
                } ?? [])
            try connection.query("SET client_encoding = 'UTF8'")
            try connection.query("SET DateStyle = ISO")
            try connection.query("SET TIME ZONE 'UTC'")
            // A batch must never hang: waits end as errors the worker retries (55P03, 57014), and a session
            // left idle inside a transaction (a frozen worker) gives its tenant locks back, sooner than a
            // waiting worker's lock timeout gives up.
            try connection.query("SET statement_timeout = '60s'")
            try connection.query("SET lock_timeout = '20s'")
            try connection.query("SET idle_in_transaction_session_timeout = '15s'")
            return connection
        } catch {
            throw .database(error)
        }
    }

    /// Records that worker `member` of `group` is alive (ops tools read it to see whether a group is live).
    public func heartbeat(group: String, member: String, startedAt: UTCInstant) throws(StoreError) {
        do {
            try connection.query(
                """
                INSERT INTO worker_heartbeats (group_id, member, started_at, seen_at)
                VALUES ($1, $2, timestamptz 'epoch' + $3::bigint * interval '1 millisecond', now())
                ON CONFLICT (group_id, member) DO UPDATE SET seen_at = now()
                """, [group, member, String(startedAt.millis)])
        } catch {
            throw .database(error)
        }
    }

    /// Removes worker `member`'s heartbeat: it stopped cleanly and is no longer live.
    public func leave(group: String, member: String) throws(StoreError) {
        do {
            try connection.query("DELETE FROM worker_heartbeats WHERE group_id = $1 AND member = $2", [group, member])
        } catch {
            throw .database(error)
        }
    }

    /// Replaces a broken connection. The pipeline calls this before retrying a batch after a connection failure.
    public func reconnect() throws(StoreError) {
        connection = try Self.connect(url)
    }

    /// Applies `events` in order, atomically: either every outcome is durable when this returns, or nothing
    /// of the batch was written and it throws. Outcomes align with `events`.
    public func apply(_ events: [InputEvent]) throws(StoreError) -> [EventOutcome] {
        try run(events, commit: true)
    }

    /// What `apply` would answer, without keeping any of it: the same transaction, rolled back. Outcomes
    /// `.applied` are the events that would change something.
    public func evaluate(_ events: [InputEvent]) throws(StoreError) -> [EventOutcome] {
        try run(events, commit: false)
    }

    private func run(_ events: [InputEvent], commit: Bool) throws(StoreError) -> [EventOutcome] {
        guard !events.isEmpty else { return [] }
        var attempt = 1
        while true {
            do {
                return try applyOnce(events, commit: commit)
            } catch let error as PostgresError {
                _ = try? connection.query("ROLLBACK")
                let lostRace = error.isTransactionConflict || error.isUniqueViolation
                guard lostRace else { throw .database(error) }
                guard attempt < retry.maxAttempts else {
                    throw StoreError(
                        kind: .retriesExhausted, message: "gave up after \(attempt) attempts",
                        underlying: error)
                }
                usleep(UInt32(retry.backoff.delayMillis(afterAttempt: attempt) * 1000))
                attempt += 1
            } catch let error as StoreError {
                _ = try? connection.query("ROLLBACK")
                throw error
            } catch {
                _ = try? connection.query("ROLLBACK")
                throw StoreError.invariant("unexpected error \(type(of: error))")
            }
        }
    }

    /// Three round trips: begin, lock and read (one pipeline); write (one pipeline) and check; commit.
    private func applyOnce(_ events: [InputEvent], commit: Bool) throws -> [EventOutcome] {
        let snapshot = try begin(Ledger.requirements(for: events))
        var ledger = Ledger(
            rules: rules, tenants: snapshot.tenants, usage: snapshot.usage, processed: snapshot.processed,
            resolvedAttempts: snapshot.resolvedAttempts, thresholds: snapshot.thresholds)
        lastRead = WallClock.nowMicros()
        let outcomes = events.map { ledger.apply($0) }
        try write(ledger)
        lastWritten = WallClock.nowMicros()
        try connection.query(commit ? "COMMIT" : "ROLLBACK")
        return outcomes
    }
}

extension LedgerStore {
    /// The stored rows of `tenantIds` as they are now (tenants never seen are absent). Read-only, no locks:
    /// for the status guard, which compares them with what the status topic says.
    public func currentTenants(_ tenantIds: [String]) throws(StoreError) -> [ByteID: TenantRecord] {
        guard !tenantIds.isEmpty else { return [:] }
        return try StoreError.converting {
            let rows = try connection.query(
                "SELECT " + Rows.tenantColumns + " FROM tenants WHERE tenant_id = ANY($1::text[])",
                [PostgresArray.literal(tenantIds)])
            var tenants: [ByteID: TenantRecord] = [:]
            for row in rows.rows {
                let tenant = try Rows.tenant(row)
                tenants[ByteID(tenant.tenantId)] = tenant
            }
            return tenants
        }
    }
}
