import LiveGateTestSupport
import Postgres
import Testing

@Suite("libpq wrapper against a real server")
struct PostgresConnectionTests {
    @Test("parameters travel out of band: hostile text comes back unchanged and runs nothing")
    func parameters() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        try c.query("CREATE TABLE t (v text)")
        let hostile = "'); DROP TABLE t; -- \" \\ é 😀"
        try c.query("INSERT INTO t VALUES ($1)", [hostile])
        #expect(try c.query("SELECT v FROM t").rows == [[hostile]])
        #expect(try c.query("SELECT $1::text IS NULL", [nil]).rows == [["t"]])
        db.drop()
    }

    @Test("array literals round-trip quotes, backslashes, braces, commas, NULL and Unicode")
    func arrays() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        let values: [String?] = ["plain", "a\"b", "c\\d", "{x,y}", "", "NULL", nil, " spaced ", "é😀"]
        let rows = try c.query(
            "SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n",
            [PostgresArray.literal(values)])
        #expect(rows.rows.map { $0[0] } == values)
        db.drop()
    }

    @Test("a sparse column of NULLs travels as one NULL, which a multi-array unnest reads as a column of NULLs")
    func sparseArrays() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        let ids = ["a", "b", "c"]
        #expect(PostgresArray.sparseLiteral([nil, nil, nil]) == nil)
        #expect(PostgresArray.sparseLiteral([nil, "x", nil]) == PostgresArray.literal([nil, "x", nil]))
        for column in [[nil, nil, nil], [nil, "x", nil]] as [[String?]] {
            let rows = try c.query(
                "SELECT i, v FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(i, v, n) ORDER BY n",
                [PostgresArray.literal(ids), PostgresArray.sparseLiteral(column.map { $0.map { _ in "7" } })])
            #expect(rows.rows.map { $0[0] } == ids)
            #expect(rows.rows.map { $0[1] } == column.map { $0.map { _ in "7" } })
        }
        db.drop()
    }

    @Test("errors carry the SQLSTATE and no SQL or parameter text")
    func errors() throws {
        let db = try TestDatabase.create()
        let c = try PostgresConnection(url: db.url)
        try c.query("CREATE TABLE u (k text PRIMARY KEY)")
        try c.query("INSERT INTO u VALUES ($1)", ["secret-value"])
        do {
            try c.query("INSERT INTO u VALUES ($1)", ["secret-value"])
            Issue.record("no error")
        } catch {
            #expect(error.sqlState == "23505" && error.isUniqueViolation)
            #expect(!error.description.contains("secret-value") && !error.description.contains("INSERT"))
        }
        #expect(throws: PostgresError.self) { try c.query("SELECT $1", ["a\u{0}b"]) }
        #expect(c.isHealthy)
        db.drop()
    }

    @Test("a bad URL is a connection error")
    func badURL() {
        #expect(throws: PostgresError.self) { try PostgresConnection(url: "postgresql://nobody@127.0.0.1:1/none") }
    }
}
