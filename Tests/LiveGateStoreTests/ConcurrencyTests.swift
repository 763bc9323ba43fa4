import Foundation
import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// Runs `body(worker)` on `count` dedicated threads that start together, and collects what each returns.
/// Threads, not tasks: the store blocks on PostgreSQL locks, which must not tie up the shared pool.
func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let start = DispatchSemaphore(value: 0)
    let group = DispatchGroup()
    let results = ResultBox<T>(count)
    for worker in 0..<count {
        group.enter()
        let thread = Thread {
            start.wait()
            results.set(worker, Result { try body(worker) })
            group.leave()
        }
        thread.start()
    }
    for _ in 0..<count { start.signal() }
    group.wait()
    return try results.values()
}

/// Written once per slot by distinct threads, read after they all finished.
final class ResultBox<T>: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var slots: [Result<T, Error>?]
    init(_ count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, Error>) { lock.lock(); slots[i] = r; lock.unlock() }
    func values() throws -> [T] { try slots.map { try $0!.get() } }
}

@Suite("Ceilings hold under concurrency")
struct ConcurrencyTests {
    @Test("8 connections racing $10 attempts for one tenant allow exactly 50 of a $500 day")
    func racingAttempts() throws {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve")])
        let url = h.database.url
        let perWorker = 20  // 160 attempts in all, $1,600 offered against a $500 day
        let allowed = try onThreads(8) { worker -> Int in
            let store = try LedgerStore(url: url)
            var allowed = 0
            var i = 0
            while i < perWorker {
                let size = min(1 + (i + worker) % 4, perWorker - i)  // batches of 1 to 4
                let events = (i..<i + size).map {
                    Fixtures.event(Fixtures.attempt("w\(worker)-\($0)", tenant: "t", amount: "10"))
                }
                for outcome in try store.apply(events) where outcome.verdict["outcome"]?.stringValue == "allowed" {
                    allowed += 1
                }
                i += size
            }
            return allowed
        }
        #expect(allowed.reduce(0, +) == 50)
        #expect(try h.scalar("SELECT used_micros FROM usage_windows WHERE window_kind = 'day'") == "500000000")
        #expect(try h.scalar("SELECT sum(booked_micros) FROM processed_events") == "500000000")
        #expect(try h.scalar("SELECT count(*) FROM processed_events") == "162")
        h.database.drop()
    }

    @Test("concurrent copies of one attempt count once")
    func racingCopies() throws {
        let h = try StoreHarness()
        try h.apply([Fixtures.declaration("d1", tenant: "t"), Fixtures.decision("a1", tenant: "t", action: "approve")])
        let url = h.database.url
        let outcomes = try onThreads(8) { _ -> [EventOutcome] in
            let store = try LedgerStore(url: url)
            return try (0..<5).map { _ in
                try store.apply([Fixtures.event(Fixtures.attempt("same", tenant: "t", amount: "10"))])[0]
            }
        }.flatMap { $0 }
        let applied = outcomes.filter { if case .applied = $0 { return true } else { return false } }
        #expect(applied.count == 1)
        #expect(Set(outcomes.map { $0.outputs[0].value }).count == 1)
        #expect(try h.scalar("SELECT used_micros FROM usage_windows WHERE window_kind = 'day'") == "10000000")
        h.database.drop()
    }

    @Test("batches spanning many tenants in different orders neither deadlock nor overshoot")
    func manyTenants() throws {
        let h = try StoreHarness()
        let tenants = (0..<6).map { "t\($0)" }
        try Self.approve(tenants, h)
        let url = h.database.url
        _ = try onThreads(8) { worker -> Int in
            let store = try LedgerStore(url: url)
            for round in 0..<15 {
                let order = worker % 2 == 0 ? tenants : tenants.reversed()
                let events = order.map {
                    Fixtures.event(Fixtures.attempt("w\(worker)-r\(round)-\($0)", tenant: $0, amount: "25"))
                }
                _ = try store.apply(events)
            }
            return 0
        }
        // 8 × 15 × $25 = $3,000 offered per tenant; each gets exactly its $500 day.
        #expect(
            try h.scalar("SELECT count(*) FROM usage_windows WHERE window_kind = 'day' AND used_micros = 500000000")
                == "6")
        h.database.drop()
    }

    @Test(
        "two workers on the same 50 tenants, different attempts, opposite orders: each day exact, and no attempt wrote a tenant row"
    )
    func twoWorkersNoRowLocks() throws {
        let h = try StoreHarness()
        let tenants = (0..<50).map { "t\($0)" }
        try Self.approve(tenants, h)
        // A row lock writes the row's tuple (its xmax, and a WAL record): the tuples stay as the setup left them.
        let tuples: SQL = """
            SELECT string_agg(tenant_id || ' ' || ctid::text || ' ' || xmax::text, ',' ORDER BY tenant_id) FROM tenants
            """
        let before = try h.scalar(tuples)
        let url = h.database.url
        let allowed = try onThreads(2) { worker -> Int in
            let store = try LedgerStore(url: url)
            var allowed = 0
            for round in 0..<30 {
                // Worker 0 goes up the list, worker 1 down it from a moving start: every batch meets the other's.
                let order = worker == 0 ? tenants : (tenants[(round % 50)...] + tenants[..<(round % 50)]).reversed()
                let events = order.map {
                    Fixtures.event(Fixtures.attempt("w\(worker)-r\(round)-\($0)", tenant: $0, amount: "25"))
                }
                allowed += try store.apply(events).filter { $0.verdict["outcome"]?.stringValue == "allowed" }.count
            }
            return allowed
        }
        // 2 × 30 × $25 = $1,500 offered per tenant against a $500 day: 20 allowed each, 1,000 in all.
        #expect(allowed.reduce(0, +) == 1000)
        #expect(
            try h.scalar("SELECT count(*) FROM usage_windows WHERE window_kind = 'day' AND used_micros = 500000000")
                == "50")
        #expect(try h.scalar(tuples) == before, "an attempt locked or wrote a tenant row")
        h.database.drop()
    }

    /// Each tenant declared and approved, in one batch.
    static func approve(_ tenants: [String], _ h: StoreHarness) throws {
        try h.apply(
            tenants.flatMap {
                [
                    Fixtures.declaration("d-\($0)", tenant: $0),
                    Fixtures.decision("a-\($0)", tenant: $0, action: "approve"),
                ]
            })
    }
}
