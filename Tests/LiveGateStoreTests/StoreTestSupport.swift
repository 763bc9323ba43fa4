import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// A migrated private schema and a store on it.
struct StoreHarness {
    let database: TestDatabase
    let store: LedgerStore

    init(rules: Rules = .standard) throws {
        database = try TestDatabase.create()
        try Migrations.apply(on: try PostgresConnection(url: database.url))
        store = try LedgerStore(url: database.url, rules: rules)
    }

    func connection() throws -> PostgresConnection { try PostgresConnection(url: database.url) }

    /// Applies JSON events as one batch.
    @discardableResult
    func apply(_ jsons: [String]) throws -> [EventOutcome] {
        try store.apply(jsons.map { Fixtures.event($0) })
    }

    @discardableResult
    func apply(_ json: String) throws -> EventOutcome { try apply([json])[0] }

    func scalar(_ sql: SQL, _ parameters: [String?] = []) throws -> String? {
        try connection().query(sql, parameters).rows.first?.first ?? nil
    }
}

/// Rewrites the rows of `source` as a worker before migration 14 wrote them: an attempt's verdict as text (the
/// verdict first, then the outputs kept as text) instead of its facts, its type and replayed amount spelled out,
/// and every fingerprint in hex; for a
/// migration test that copies them into an older schema.
func keepVerdictsAsText(in source: TestDatabase) throws {
    let c = try PostgresConnection(url: source.url)
    let rows = try c.query(
        "SELECT tenant_id, event_id, outputs FROM processed_events WHERE verdict_encoding IS NOT NULL")
    for row in rows.rows {
        guard let tenant = row[0], let id = row[1],
            let verdict = try StoredVerdict.load(tenantId: tenant, eventId: id, kind: .transactionAttempted, on: c)
        else {
            Issue.record("\(row[0] ?? "?")/\(row[1] ?? "?"): a verdict kept as facts does not load")
            continue
        }
        let text =
            Topics.transactionVerdict + "\t" + String(decoding: verdict, as: UTF8.self)
            + (row[2].map { "\n" + $0 } ?? "")
        try c.query(
            """
            UPDATE processed_events SET outputs = $3, verdict_encoding = NULL,
            """ + spelledOut + " WHERE tenant_id = $1 AND event_id = $2", [tenant, id, text])
    }
    try c.query(
        """
        UPDATE processed_events SET fingerprint = encode(fingerprint_sha256, 'hex'), fingerprint_sha256 = NULL
        WHERE fingerprint IS NULL
        """)
}

/// An `UPDATE processed_events` assignment that spells out what a row of encoding 2 leaves to its encoding (its
/// type, the replayed amount it booked and the day it booked it on), for a test that turns the row into one a worker before wrote.
let spelledOut: SQL = """
    event_type = coalesce(event_type, 'transaction.attempted'),
    replay_micros = CASE WHEN verdict_encoding = 2 THEN coalesce(replay_micros, booked_micros) ELSE replay_micros END,
    booked_day = CASE WHEN booked_micros IS NOT NULL THEN coalesce(booked_day, (occurred_at AT TIME ZONE 'UTC')::date) END
    """

/// Rows of `tables` copied from `source`'s schema into `old`'s, through `c` (a connection to `old`): what an
/// older worker would have written, for a migration test. `columns` nil copies every column; a list names those
/// the older schema had.
func copyRows(
    _ tables: [(table: String, columns: SQL?)], from source: TestDatabase, into old: TestDatabase,
    on c: PostgresConnection
) throws {
    for (table, columns) in tables {
        let into = try SQL.identifier(old.schema) + "." + SQL.identifier(table)
        let from = try SQL.identifier(source.schema) + "." + SQL.identifier(table)
        if let columns {
            try c.query("INSERT INTO " + into + " (" + columns + ") SELECT " + columns + " FROM " + from)
        } else {
            try c.query("INSERT INTO " + into + " SELECT * FROM " + from)
        }
    }
}

/// `tenant_transitions`' columns before migration 12 added what each declaration asked.
let transitionColumnsBefore12: SQL =
    "id, tenant_id, event_id, action, actor_id, from_state, to_state, notes, ceiling, occurred_at, "
    + "recorded_at, signing_kid, ceiling_before"

extension EventOutcome {
    /// The first output (the verdict), parsed.
    var verdict: JSONValue { try! JSONParser.parse(outputs[0].value) }
}
