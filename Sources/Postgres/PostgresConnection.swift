import CLibPQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libpq connection. Not thread-safe: use it from one thread at a time (each worker owns its own).
/// Every statement with input goes through `query(_:_:)`, which sends parameters out of band: SQL is never
/// assembled from values.
public final class PostgresConnection {
    let handle: OpaquePointer
    /// Set when a pipeline ended out of step with the server (its results not all read, or libpq refused to
    /// leave pipeline mode): the connection must not carry another statement, so every later call fails as
    /// a connection failure and the owner reconnects.
    var abandoned = false

    /// Bounds on connecting and on a silent network, applied unless `url` sets them itself: a vanished
    /// database host must surface as an error within seconds, not block a worker for the OS's two hours.
    public static let defaultParameters: [(String, String)] = [
        ("connect_timeout", "10"), ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"),
        ("keepalives_count", "3"), ("tcp_user_timeout", "30000"), ("application_name", "livegate"),
    ]

    /// Connects with a libpq connection string or URL (`postgresql://user@host:port/db?options=...`).
    /// `overriding` replaces default parameters (e.g. a shorter `connect_timeout`); the URL still wins.
    public init(url: String, overriding: [(String, String)] = []) throws(PostgresError) {
        try ConnectionString.check(url)
        // Defaults first, then the URL expanded in place of dbname: what the URL says wins.
        let defaults = Self.defaultParameters.filter { key, _ in !overriding.contains { $0.0 == key } } + overriding
        let parameters = defaults + [("dbname", url)]
        let connection = withCStrings(parameters.map(\.0) + [nil]) { keys in
            withCStrings(parameters.map(\.1) + [nil]) { values in PQconnectdbParams(keys, values, 1) }
        }
        guard let handle = connection else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.firstLine(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(kind: .connection, message: message)
        }
        self.handle = handle
        // Notices (e.g. "relation already exists, skipping") are not errors; keep them off stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK && !abandoned }

    /// Runs one parameterized statement (`$1`, `$2`, … in `sql`) and returns its rows as text.
    @discardableResult
    public func query(_ sql: SQL, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        guard !abandoned else { throw Self.abandonedError }
        try Self.refuseNUL(parameters)
        let result = withCStrings(parameters) { values in
            PQexecParams(handle, sql.text, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs a script of statements without parameters (migrations only: no input ever reaches this).
    public func execute(script: SQL) throws(PostgresError) {
        guard !abandoned else { throw Self.abandonedError }
        _ = try consume(PQexec(handle, script.text))
    }

    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> PostgresRows {
        guard let result else {
            throw PostgresError(kind: .connection, message: Self.firstLine(PQerrorMessage(handle)))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(copying: result)
        default:
            throw error(of: result)
        }
    }

    /// The error a failed result reports, with its SQLSTATE.
    func error(of result: OpaquePointer) -> PostgresError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let table = PQresultErrorField(result, Int32(UInt8(ascii: "t"))).map { String(cString: $0) }
        let constraint = PQresultErrorField(result, Int32(UInt8(ascii: "n"))).map { String(cString: $0) }
        let kind: PostgresError.Kind = PQstatus(handle) == CONNECTION_OK ? .server : .connection
        return PostgresError(
            kind: kind, sqlState: state, message: primary ?? Self.firstLine(PQerrorMessage(handle)),
            table: table, constraint: constraint)
    }

    static let abandonedError = PostgresError(
        kind: .connection, message: "connection abandoned after a broken pipeline")

    /// PostgreSQL text cannot hold NUL; refusing here beats libpq silently truncating the value.
    static func refuseNUL(_ parameters: [String?]) throws(PostgresError) {
        guard !parameters.contains(where: { $0.map(containsNUL) == true }) else {
            throw PostgresError(kind: .protocolViolation, message: "a parameter contains a NUL character")
        }
    }

    /// Whether `text` holds U+0000, scanned with memchr over its contiguous UTF-8 (parameters can be large).
    static func containsNUL(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, 0, bytes.count) != nil
        }
    }

    static func firstLine(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}

/// Calls `body` with a C array of NUL-terminated copies of `strings` (NULL for `nil`), freed afterwards.
func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
