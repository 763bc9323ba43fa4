import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import PropertyBased
import Testing

@Suite("The store agrees with the pure ledger")
struct StorePropertyTests {
    /// Whatever the batching, PostgreSQL round trips must not change a single output byte: each story is
    /// applied once in memory, and once through the store in batches of random sizes.
    @Test("random stories in random batches give the ledger's exact bytes")
    func randomBatches() async throws {
        let h = try StoreHarness(rules: RandomStory.rules)
        let counter = Counter()
        await propertyCheck(
            count: 25, input: Gen.uint16(in: 0...UInt16.max).array(of: 1...40),
            Gen.int(in: 1...8)
        ) { codes, batchSize in
            let prefix = "s\(counter.next())-"  // each run uses its own tenants and event ids
            let events = RandomStory.steps(codes, prefix: prefix).map {
                Fixtures.event($0.json, rules: RandomStory.rules)
            }
            var ledger = Ledger(rules: RandomStory.rules, tenants: [:], usage: [:], processed: [:])
            let expected = events.map { ledger.apply($0) }
            var actual: [EventOutcome] = []
            var i = 0
            while i < events.count {
                let batch = Array(events[i..<min(i + batchSize, events.count)])
                actual += try h.store.apply(batch)
                i += batch.count
            }
            #expect(actual == expected)
        }
        h.database.drop()
    }
}

final class Counter: @unchecked Sendable {  // only touched from one property check at a time
    private var value = 0
    func next() -> Int { value += 1; return value }
}
