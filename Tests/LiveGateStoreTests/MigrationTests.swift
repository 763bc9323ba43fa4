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
        #expect(try connection.query("SELECT count(*) FROM livegate_schema_migrations").rows[0][0] == "\(Migrations.all.count)")
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
        try c.query("""
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
        let collations = try c.query("""
            SELECT table_name || '.' || column_name, collation_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name IN ('tenant_id', 'event_id', 'window_kind')
              AND table_name IN ('tenants', 'tenant_transitions', 'processed_events', 'usage_windows')
            ORDER BY 1
            """)
        #expect(collations.rows.count == 7)
        #expect(collations.rows.allSatisfy { $0[1] == "C" })
        #expect(try c.query("SELECT tenant_id FROM tenants ORDER BY tenant_id").rows.map { $0[0] } == ["B", "a", "b"])
        #expect(throws: PostgresError.self) {
            try c.query("""
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
        try c.query("""
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
