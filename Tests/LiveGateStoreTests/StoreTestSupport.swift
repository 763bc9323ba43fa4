import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres

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

extension EventOutcome {
    /// The first output (the verdict), parsed.
    var verdict: JSONValue { try! JSONParser.parse(outputs[0].value) }
}
