import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("applying twice is safe and recorded once")
    func twice() throws {
        let db = try TestDatabase.create()
        let connection = try PostgresConnection(url: db.url)
        #expect(try Migrations.apply(on: connection) == Migrations.all.map(\.version))
        #expect(try Migrations.apply(on: connection) == [])
        #expect(
            try connection.query("SELECT count(*) FROM livegate_schema_migrations").rows[0][0]
                == "\(Migrations.all.count)")
        db.drop()
    }

    @Test("the transition history is append-only")
    func appendOnly() throws {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d1", tenant: "t")])
        let c = try h.connection()
        #expect(throws: PostgresError.self) { try c.query("UPDATE tenant_transitions SET notes = 'x'") }
        #expect(throws: PostgresError.self) { try c.query("DELETE FROM tenant_transitions") }
        #expect(throws: PostgresError.self) { try c.query("TRUNCATE tenant_transitions") }
        #expect(try h.scalar("SELECT count(*) FROM tenant_transitions") == "1")
        h.database.drop()
    }

    @Test("CHECK constraints refuse usage beyond its limit and negative usage")
    func checks() throws {
        let h = try StoreHarness()
        let c = try h.connection()
        try c.query("INSERT INTO tenants (tenant_id) VALUES ('t')")
        #expect(throws: PostgresError.self) {
            try c.query("INSERT INTO usage_windows VALUES ('t', 'day', '2026-11-29', 501, 500)")
        }
        #expect(throws: PostgresError.self) {
            try c.query("INSERT INTO usage_windows VALUES ('t', 'day', '2026-11-29', -1, 500)")
        }
        #expect(throws: PostgresError.self) {
            try c.query("INSERT INTO usage_windows VALUES ('t', 'month', '2026-11-29', 1, 500)")
        }
        #expect(throws: PostgresError.self) { try c.query("UPDATE tenants SET state = 'approved'") }
        h.database.drop()
    }
}

@Suite("Migration 3: stored outputs")
struct OutputsMigrationTests {
    @Test("outputs stored as JSON before version 3 are rewritten and replay byte for byte")
    func rewritesOldRows() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        try Migrations.apply(on: c, through: 2)
        let json = Fixtures.attempt("old-1", tenant: "t", amount: "1", environment: "test")
        let event = Fixtures.event(json)
        let verdict = #"{"event_id":"old-1","note":"tab\tand \"quotes\" and é"}"#
        let stored = JSONWriter.string(.array([.array([.string(Topics.transactionVerdict), .string(verdict)])]))
        try c.query("INSERT INTO tenants (tenant_id) VALUES ('t')")
        try c.query(
            """
            INSERT INTO processed_events (event_id, tenant_id, event_type, fingerprint, outputs, changed_tenant)
            VALUES ('old-1', 't', 'transaction.attempted', $1, $2, false)
            """, [event.fingerprint, stored])
        #expect(try Migrations.apply(on: c, through: 3) == [3])
        #expect(try Migrations.apply(on: c) == Array(4...Migrations.all.count))
        let store = try LedgerStore(url: db.url)
        let again = try store.apply([event])[0]
        guard case .duplicate = again else { Issue.record("not a duplicate: \(again)"); return }
        #expect(again.outputs.map(\.valueText) == [verdict])
        #expect(again.outputs.map(\.topic) == [Topics.transactionVerdict])
        db.drop()
    }
}

@Suite("Migration 4: ids compare byte for byte")
struct CollationMigrationTests {
    @Test("id columns collate as C, rows and foreign keys survive")
    func byteOrderIds() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        try Migrations.apply(on: c, through: 3)
        try c.query("INSERT INTO tenants (tenant_id) VALUES ('b'), ('a'), ('B')")
        #expect(try Migrations.apply(on: c, through: 4) == [4])
        let collations = try c.query(
            """
            SELECT table_name || '.' || column_name, collation_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name IN ('tenant_id', 'event_id', 'window_kind')
              AND table_name IN ('tenants', 'tenant_transitions', 'processed_events', 'usage_windows')
            ORDER BY 1
            """)
        #expect(collations.rows.count == 7)
        #expect(collations.rows.allSatisfy { $0[1] == "C" })
        #expect(try c.query("SELECT tenant_id FROM tenants ORDER BY tenant_id").rows.map { $0[0] } == ["B", "a", "b"])
        #expect(throws: PostgresError.self) {
            try c.query(
                """
                INSERT INTO processed_events (event_id, tenant_id, event_type, fingerprint, outputs, changed_tenant)
                VALUES ('e', 'nobody', 'transaction.attempted', 'f', '', false)
                """)
        }
        db.drop()
    }
}

@Suite("Migration 6: processed events keep a SHA-256 of the input, not the input")
struct FingerprintMigrationTests {
    @Test("stored inputs become their digest; a redelivery is still a duplicate and a changed event a conflict")
    func digests() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        try Migrations.apply(on: c, through: 5)
        let json = Fixtures.declaration("old-d", tenant: "t")
        let event = Fixtures.event(json)
        let canonical = try JSONParser.parse(Array(json.utf8)).canonicalText
        #expect(canonical.contains("@"), "the old form held the owner's email")
        try c.query("INSERT INTO tenants (tenant_id) VALUES ('t')")
        try c.query(
            """
            INSERT INTO processed_events (event_id, tenant_id, event_type, fingerprint, outputs, changed_tenant)
            VALUES ('old-d', 't', 'declaration.submitted', $1, $2, false)
            """, [canonical, Topics.accessVerdict + "\t" + #"{"event_id":"old-d"}"#])
        #expect(try Migrations.apply(on: c) == Array(6...Migrations.all.count))
        let stored = try c.query("SELECT fingerprint FROM processed_events").rows
        #expect(stored == [[event.fingerprint]])
        #expect(event.fingerprint.utf8.count == 64)
        let store = try LedgerStore(url: db.url)
        guard case .duplicate = try store.apply([event])[0] else { Issue.record("not a duplicate"); return }
        let changed = Fixtures.event(json.replacingOccurrences(of: "Ada", with: "Bob"))
        guard case .conflict = try store.apply([changed])[0] else { Issue.record("not a conflict"); return }
        #expect(throws: PostgresError.self) {
            try c.query("UPDATE processed_events SET fingerprint = '{}'")
        }
        db.drop()
    }
}

@Suite("Migration 9: idempotency per tenant")
struct TenantKeyMigrationTests {
    /// What schema 8 had of each table (`nil`: every column), to copy rows from a schema of today.
    static let v8Columns: [(table: String, columns: SQL?)] = [
        ("tenants", nil), ("usage_windows", nil), ("threshold_notices", nil),
        // Migration 12 added what each declaration asked: the older table has only these.
        ("tenant_transitions", transitionColumnsBefore12),
        (
            "processed_events",
            "event_id, tenant_id, event_type, fingerprint, outputs, changed_tenant, booked_micros, booked_day, processed_at"
        ),
        (
            "attempt_resolutions",
            "attempt_id, tenant_id, event_id, resolution, released_micros, booked_day, recorded_at"
        ),
    ]

    @Test(
        "a database written by schema 8 answers every stored verdict, releases within the window, and takes per-tenant ids"
    )
    func fromSchema8() throws {
        // What a schema-8 worker wrote: a story applied by the store, copied without the columns 9 added.
        let source = try StoreHarness()
        let story = [
            Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve"),
            Fixtures.attempt("x1", tenant: "t", amount: "60"), Fixtures.attempt("x2", tenant: "t", amount: "40"),
            Fixtures.attempt("x3", tenant: "t", amount: "5"),
            Fixtures.resolution("r3", tenant: "t", attempt: "x3", resolution: "settled"),
        ]
        let first = try source.apply(story)
        let old = try TestDatabase.create()
        let c = try PostgresConnection(url: old.url)
        try Migrations.apply(on: c, through: 8)
        try keepVerdictsAsText(in: source.database)
        try copyRows(Self.v8Columns, from: source.database, into: old, on: c)
        #expect(try c.query("SELECT count(*) FROM processed_events").rows[0][0] == "6")
        #expect(try Migrations.apply(on: c) == Array(9...Migrations.all.count))

        let store = try LedgerStore(url: old.url)
        // Every stored verdict is answered again, byte for byte (the status after it is the current one).
        for (json, original) in zip(story, first) {
            let again = try store.apply([Fixtures.event(json)])[0]
            guard case .duplicate = again else { Issue.record("\(json) is not a duplicate: \(again)"); continue }
            let stored = { (outcome: EventOutcome) in outcome.outputs.filter { $0.topic != Topics.tenantStatus } }
            #expect(stored(again) == stored(original) && !stored(again).isEmpty)
        }
        // Rows from before keep no occurred_at: the release window is measured from their verdict's decided_at.
        let inTime = try store.apply([
            Fixtures.event(Fixtures.resolution("r1", tenant: "t", attempt: "x1", at: "2026-12-06T12:00:00Z"))
        ])[0]
        #expect(inTime.verdict["released"] == .string("60.00"))
        let late = try store.apply([
            Fixtures.event(Fixtures.resolution("r2", tenant: "t", attempt: "x2", at: "2026-12-06T12:00:00.001Z"))
        ])[0]
        #expect(late.verdict["reason"] == .string("release_window_closed"))
        // The same ids are another tenant's own events now.
        let elsewhere = try store.apply([Fixtures.event(Fixtures.attempt("x1", tenant: "u", amount: "1"))])[0]
        guard case .applied = elsewhere else { Issue.record("u's x1 was not its own event: \(elsewhere)"); return }
        let keys = try c.query(
            """
            SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = current_schema()::regnamespace
              AND conname IN ('processed_events_pkey', 'attempt_resolutions_pkey', 'tenant_transitions_event_key',
                              'attempt_resolutions_event_key') ORDER BY 1, 2
            """
        ).rows.map { "\($0[0] ?? ""): \($0[1] ?? "")" }
        #expect(
            keys == [
                "attempt_resolutions: PRIMARY KEY (tenant_id, attempt_id)",
                "attempt_resolutions: UNIQUE (tenant_id, event_id)",
                "processed_events: PRIMARY KEY (tenant_id, event_id)",
                "tenant_transitions: UNIQUE (tenant_id, event_id)",
            ])
        source.database.drop()
        old.drop()
    }
}
