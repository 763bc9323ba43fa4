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
