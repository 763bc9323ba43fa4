import CLibPQ

#if canImport(Glibc)
    import Glibc
#endif

/// One parameterized statement of a pipeline.
public struct PostgresStatement: Sendable {
    public let sql: SQL
    public let parameters: [String?]

    public init(_ sql: SQL, _ parameters: [String?] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

extension PostgresConnection {
    /// Sends `statements` together and returns each one's rows, in order: one round trip instead of one per
    /// statement (libpq pipeline mode). The server runs them one after another, exactly as if sent singly.
    /// If one fails, the server skips the rest, and this throws that failure once every result is read, so
    /// the connection is ready for the next statement (a `ROLLBACK` inside a transaction). If the exchange
    /// itself breaks, the connection is abandoned: this and every later call throw a connection failure.
    public func pipeline(_ statements: [PostgresStatement]) throws(PostgresError) -> [PostgresRows] {
        guard !statements.isEmpty else { return [] }
        guard !abandoned else { throw Self.abandonedError }
        for statement in statements { try Self.refuseNUL(statement.parameters) }
        guard PQpipelineStatus(handle) == PQ_PIPELINE_OFF, PQenterPipelineMode(handle) == 1 else { throw abandon() }
        let outcome: (rows: [PostgresRows], failure: PostgresError?)
        do {
            try send(statements)
            outcome = try readResults(count: statements.count)
        } catch {
            throw abandon(error)
        }
        guard PQexitPipelineMode(handle) == 1 else { throw abandon() }
        if let failure = outcome.failure { throw failure }
        return outcome.rows
    }

    /// Reads one result per statement, then the sync point. A statement's error is returned, not thrown, so
    /// that the rest (PGRES_PIPELINE_ABORTED) and the sync are read first and the connection stays in step.
    private func readResults(count: Int) throws(PostgresError) -> (rows: [PostgresRows], failure: PostgresError?) {
        var rows: [PostgresRows] = []
        var failure: PostgresError?
        for _ in 0..<count {
            guard let result = PQgetResult(handle) else { throw connectionError() }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                rows.append(PostgresRows(copying: result))
            case PGRES_PIPELINE_ABORTED:
                break
            default:
                if failure == nil { failure = error(of: result) }
            }
            PQclear(result)
            // A statement's results end with NULL, and each of ours has exactly one result before it.
            if let extra = PQgetResult(handle) {
                PQclear(extra)
                throw connectionError()
            }
        }
        guard let sync = PQgetResult(handle) else { throw connectionError() }
        defer { PQclear(sync) }
        guard PQresultStatus(sync) == PGRES_PIPELINE_SYNC else { throw connectionError() }
        guard failure != nil || rows.count == count else { throw connectionError() }
        return (rows, failure)
    }

    /// Queues every statement and the sync point, then flushes without blocking: while the server's answers
    /// pile up, they are read into libpq's buffer, so neither side can stall the other on a full socket.
    private func send(_ statements: [PostgresStatement]) throws(PostgresError) {
        guard PQsetnonblocking(handle, 1) == 0 else { throw connectionError() }
        defer { PQsetnonblocking(handle, 0) }
        for statement in statements {
            let sent = withCStrings(statement.parameters) { values in
                PQsendQueryParams(
                    handle, statement.sql.text, Int32(statement.parameters.count), nil, values, nil, nil, 0)
            }
            guard sent == 1 else { throw connectionError() }
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionError() }
        while true {
            let pending = PQflush(handle)
            if pending == 0 { return }
            guard pending == 1 else { throw connectionError() }
            var socket = pollfd(fd: PQsocket(handle), events: Int16(POLLIN | POLLOUT), revents: 0)
            let ready = poll(&socket, 1, Self.sendTimeoutMillis)
            guard ready != 0 else {
                throw PostgresError(
                    kind: .connection, message: "the server took no data for \(Self.sendTimeoutMillis / 1000) s")
            }
            guard ready > 0 || errno == EINTR else { throw connectionError() }
            if socket.revents & Int16(POLLIN) != 0, PQconsumeInput(handle) == 0 { throw connectionError() }
        }
    }

    /// Longest wait for the socket to take more of a pipeline (the server's statement timeout is shorter).
    static let sendTimeoutMillis: Int32 = 90_000

    /// Marks the connection unusable and returns the failure to throw, always a connection failure, so the
    /// owner reconnects instead of sending more through a link whose replies no longer match its requests.
    private func abandon(_ cause: PostgresError? = nil) -> PostgresError {
        abandoned = true
        let message = cause?.message ?? Self.firstLine(PQerrorMessage(handle))
        return PostgresError(kind: .connection, sqlState: cause?.sqlState, message: "pipeline broken: \(message)")
    }

    private func connectionError() -> PostgresError {
        PostgresError(
            kind: PQstatus(handle) == CONNECTION_OK ? .server : .connection,
            message: Self.firstLine(PQerrorMessage(handle)))
    }
}
