import LiveGateTestSupport
import Postgres
import Testing

@Suite("libpq pipelines against a real server")
struct PostgresPipelineTests {
    @Test("statements run in order in one pipeline and each returns its own rows")
    func inOrder() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        let results = try c.pipeline([
            PostgresStatement("CREATE TABLE t (v text PRIMARY KEY)"),
            PostgresStatement("INSERT INTO t SELECT unnest($1::text[])", [PostgresArray.literal(["a", "b", "c"])]),
            PostgresStatement("SELECT v FROM t ORDER BY v"),
            PostgresStatement("UPDATE t SET v = v || $1 WHERE v <> 'a'", ["!"]),
        ])
        #expect(results.count == 4)
        #expect(results[2].rows == [["a"], ["b"], ["c"]])
        #expect(results[3].affected == 2)
        #expect(try c.pipeline([]).isEmpty)
        db.drop()
    }

    @Test("a failing statement throws its SQLSTATE, skips the rest, and leaves the connection usable")
    func failure() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        try c.query("CREATE TABLE t (v text PRIMARY KEY)")
        #expect {
            try c.pipeline([
                PostgresStatement("BEGIN"),
                PostgresStatement("INSERT INTO t VALUES ('x')"),
                PostgresStatement("INSERT INTO t VALUES ('x')"),
                PostgresStatement("INSERT INTO t VALUES ('y')"),
            ])
        } throws: { ($0 as? PostgresError)?.sqlState == "23505" }
        try c.query("ROLLBACK")
        #expect(try c.query("SELECT count(*) FROM t").rows == [["0"]])
        #expect(throws: PostgresError.self) { try c.pipeline([PostgresStatement("SELECT $1::text", ["a\u{0}b"])]) }
        #expect(try c.pipeline([PostgresStatement("SELECT 1")])[0].rows == [["1"]])
        db.drop()
    }

    @Test("megabytes each way go through one pipeline")
    func large() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        let big = String(repeating: "x", count: 4_000)
        let values = Array(repeating: big, count: 1_000)  // 4 MB of parameters per statement
        let statements = (0..<6).map { _ in
            PostgresStatement("SELECT v FROM unnest($1::text[]) AS u(v)", [PostgresArray.literal(values)])
        }
        let results = try c.pipeline(statements)
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0.count == 1_000 && $0.rows[999][0] == big })
        db.drop()
    }

    @Test("a connection lost mid-pipeline fails as a connection failure and is not used again")
    func lostConnection() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        let pid = try c.query("SELECT pg_backend_pid()").rows[0][0] ?? ""
        try PostgresConnection(url: db.url).query("SELECT pg_terminate_backend($1::int, 5000)", [pid])
        #expect { try c.pipeline([PostgresStatement("BEGIN"), PostgresStatement("SELECT 1")]) } throws: {
            ($0 as? PostgresError)?.isConnectionFailure == true
        }
        #expect(!c.isHealthy)
        #expect { try c.query("SELECT 1") } throws: { ($0 as? PostgresError)?.isConnectionFailure == true }
        db.drop()
    }
}
