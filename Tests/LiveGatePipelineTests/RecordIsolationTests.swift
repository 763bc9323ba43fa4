import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

@testable import LiveGatePipeline

/// `RecordIsolation` against a stand-in for the store that refuses given events, as PostgreSQL would.
@Suite("Isolating the records PostgreSQL refuses")
struct RecordIsolationTests {
    static func events(_ count: Int) -> [InputEvent] {
        (0..<count).map { Fixtures.event(Fixtures.attempt("e-\($0)", tenant: "t", amount: "1", environment: "test")) }
    }

    /// Applies like a store whose constraint refuses `bad` events; records each transaction's size.
    final class FakeStore {
        let bad: Set<String>
        let error: StoreError
        var transactions: [Int] = []
        init(bad: Set<String>, sqlState: String = "23514", table: String? = nil) {
            self.bad = bad
            error = .database(PostgresError(kind: .server, sqlState: sqlState, message: "refused", table: table))
        }
        func apply(_ events: [InputEvent]) throws -> [EventOutcome] {
            transactions.append(events.count)
            if events.contains(where: { bad.contains($0.eventId) }) { throw error }
            return events.map { _ in .applied([]) }
        }
    }

    @Test("each refused record alone, every other one applied, outcomes in order, about 2·log2(n) transactions")
    func isolates() throws {
        let store = FakeStore(bad: ["e-3", "e-97"])
        let outcomes = try RecordIsolation(apply: store.apply).run(Self.events(128))
        #expect(outcomes.count == 128)
        for (i, outcome) in outcomes.enumerated() {
            if i == 3 || i == 97 {
                #expect(outcome.deadLetter?.error == .applyFailed && outcome.deadLetter?.sqlState == "23514")
                #expect(outcome.deadLetter?.eventId == "e-\(i)")
            } else {
                #expect(outcome == .applied([]), "event \(i)")
            }
        }
        #expect(store.transactions.count <= 1 + 2 * 2 * 7)
        #expect(store.transactions.filter { $0 == 1 }.count >= 2)
    }

    @Test("a batch without bad records is one transaction; errors that concern every batch are not isolated")
    func passesThrough() throws {
        let clean = FakeStore(bad: [])
        _ = try RecordIsolation(apply: clean.apply).run(Self.events(50))
        #expect(clean.transactions == [50])
        let revoked = FakeStore(bad: ["e-1"], sqlState: "42501")  // insufficient privilege
        #expect(throws: StoreError.self) { try RecordIsolation(apply: revoked.apply).run(Self.events(50)) }
        #expect(revoked.transactions == [50])
    }

    @Test("an overshoot refused by the usage CHECK is a broken invariant, named, not a dead letter")
    func invariant() throws {
        let store = FakeStore(bad: ["e-5"], sqlState: "23514", table: "usage_windows")
        let error = try #require(throws: RecordIsolation.BrokenInvariant.self) {
            try RecordIsolation(apply: store.apply).run(Self.events(8))
        }
        #expect(error.eventIndex == 5)
    }
}
