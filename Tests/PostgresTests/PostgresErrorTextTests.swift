import Postgres
import Testing

/// What an operator reads when PostgreSQL is not there: where, and why, in one clause (no SQLSTATE jargon,
/// no "FATAL:").
@Suite("PostgreSQL error text")
struct PostgresErrorTextTests {
    func said(_ message: String) -> String { PostgresError(kind: .connection, message: message).description }

    @Test("a refused TCP connection names the host and port")
    func refusedTCP() {
        let libpq =
            "connection to server at \"127.0.0.1\", port 5432 failed: Connection refused\n"
            + "\tIs the server running on that host and accepting TCP/IP connections?"
        #expect(said(libpq).hasPrefix("cannot connect to PostgreSQL at 127.0.0.1:5432: connection refused"))
    }

    @Test("an IPv6 host is bracketed; a socket is named; the server's FATAL is dropped")
    func otherPlaces() {
        #expect(
            said("connection to server at \"::1\", port 5433 failed: Connection refused")
                == "cannot connect to PostgreSQL at [::1]:5433: connection refused")
        let socket = "/run/postgresql/.s.PGSQL.5432"
        #expect(
            said("connection to server on socket \"\(socket)\" failed: No such file or directory")
                == "cannot connect to PostgreSQL on socket \(socket): no such file or directory")
        #expect(
            said("connection to server at \"db\", port 5432 failed: FATAL:  database \"x\" does not exist")
                == "cannot connect to PostgreSQL at db:5432: database \"x\" does not exist")
    }

    @Test("anything else keeps libpq's words after ours")
    func otherMessages() {
        #expect(
            said("invalid connection option \"foo\"")
                == "PostgreSQL connection failed: invalid connection option \"foo\"")
    }
}
