import Foundation
import Kafka
import LiveGateCore
import LiveGateLocal
import LiveGatePipeline
import LiveGateStore
import LiveGateTestSupport
import Postgres
import Testing

/// One stream of attempts through a `livegate run` process while a fault hits it; afterwards every proof
/// invariant must hold, and the time from the fault's end to the next verdict is reported.
struct FaultRun {
    let h: PipelineHarness
    let out: OutputWatcher
    let work: ProofWorkload
    var worker: WorkerProcess

    init(databaseServer: String? = nil, brokers: Int = 1, attempts: Int = 3000, kafka: [String] = []) throws {
        h = try PipelineHarness(brokers: brokers, partitions: 4, databaseServer: databaseServer)
        try h.migrate()
        work = ProofWorkload(scale: ProofScale(attempts: attempts, tenants: 10, kills: 0), seed: 11)
        out = try h.reader()
        worker = try WorkerProcess(h, group: "faults", name: "fault", batch: 100, kafka: kafka)
        try work.approveTenants(h, out)
    }

    /// Publishes the first half, applies `fault` once some of it is answered, publishes the rest while the
    /// fault lasts (unless the fault is the brokers themselves), `restore`s after `seconds`, and checks.
    /// `reached`: log lines of the worker, one of which proves the fault reached it. Recovery is measured from
    /// `restore` to the verdict of an input published after it. With `allAnsweredWithin`, every input must be
    /// answered within that many seconds of `restore`.
    func run(
        _ name: String, seconds: Double = 3, publishDuringFault: Bool = true, reached: [String],
        fault: () throws -> Void, restore: () throws -> Void, allAnsweredWithin: Double? = nil
    ) throws {
        let half = work.attempts.count / 2
        let rest = work.attempts[half...].map(\.json) + work.decisions.map(\.json)
        try h.publish(work.attempts[..<half].map(\.json) + (publishDuringFault ? [] : rest))
        try #require(try out.awaitAnswers(work.attempts[..<(half / 4)].map(\.id), timeoutSeconds: 90))
        try fault()
        if publishDuringFault { try h.publish(rest) }
        usleep(UInt32(seconds * 1_000_000))
        try restore()
        let restored = Date()
        // How the host answered from the restore to the last verdict: a late recovery on a starved host is
        // the host's, on a prompt one the pipeline's.
        let host = HostProbe()
        let marker = "after-\(UUID().uuidString.prefix(8))"
        try h.publish([
            Fixtures.attempt(marker, tenant: work.tenants[0], amount: "1", at: Fixtures.now(), environment: "test")
        ])
        let recovered = try out.awaitAnswers([marker], timeoutSeconds: 120)
        let recovery = Date().timeIntervalSince(restored)
        #expect(reached.contains { worker.log.contains($0) }, "the fault never reached the worker (no \(reached))")
        #expect(
            worker.log.contains("decisions are accepted without an admin's signature"),
            "a worker without a key set says so")
        let answered = try out.awaitAnswers(work.allIds, timeoutSeconds: 180)
        let allAnswered = Date().timeIntervalSince(restored)
        let hostDuring = host.report()
        #expect(recovered, "no verdict for an input published after the restore within 120 s: \(hostDuring)")
        if let allAnsweredWithin {
            #expect(allAnswered < allAnsweredWithin, "all answered \(allAnswered) s after restore: \(hostDuring)")
        }
        try ProofInvariants.awaitStatuses(out, databaseURL: h.database.url)
        let result = try ProofInvariants.check(work, watcher: out, databaseURL: h.database.url)
        print(
            result.report(
                "fault proof: \(name)",
                figures: [
                    "inputs: \(work.allIds.count)", "fault lasted: \(seconds) s",
                    "recovery (restore → verdict of an input published after it): \(String(format: "%.2f", recovery)) s",
                    "every input answered \(String(format: "%.2f", allAnswered)) s after restore",
                    "host meanwhile: \(hostDuring)",
                    // librdkafka 2.0.2 can hang destroying a consumer that left the group (BoundedDestroy).
                    "Kafka clients whose destroy outlasted its bound: "
                        + "\(worker.log.components(separatedBy: "left to finish in the background").count - 1)",
                ]))
        #expect(answered, "\(hostDuring); log:\n\(worker.log.suffix(3000))")
        #expect(result.holds, "\(result.failures)")
        #expect(result.mixHolds, "\(result.outcomes)")
        worker.signal(SIGTERM)
        let status = worker.waitForExit(seconds: 60)
        #expect(
            status == 0,
            """
            the worker did not exit 0 within 60 s of SIGTERM (\(status.map(String.init) ?? "still running"));
            its threads:
            \(status == nil ? worker.stacks() : "-")
            its log's end:
            \(worker.log.suffix(3000))
            """)
    }
}

extension PipelineTests {
    @Suite("Fault proofs")
    struct FaultProofTests {
        @Test(
            "PostgreSQL stopped mid-stream (fast, then immediate) and restarted",
            arguments: LocalPostgres.StopMode.allCases)
        func postgresDown(mode: LocalPostgres.StopMode) throws {
            let server = try PrivatePostgres.start(port: mode == .fast ? 25441 : 25442)
            defer { try? server.stop() }  // a test's server must not outlive it
            let run = try FaultRun(databaseServer: server.url)
            // 12 s: longer than the session timeout (4 s) and libpq's connect timeout.
            try run.run(
                "PostgreSQL \(mode.rawValue) shutdown, 12 s", seconds: 12,
                reached: ["PostgreSQL unavailable", "batch failed; retrying"],
                fault: { try server.stop(mode) }, restore: { try server.restart() })
            run.h.database.drop()
        }

        @Test("PostgreSQL down past the batch deadline: the worker leaves the group, rejoins, and answers everything")
        func leavesTheGroup() throws {
            let server = try PrivatePostgres.start(port: 25444)
            defer { try? server.stop() }
            // max.poll.interval.ms 10 s makes the batch deadline 4 s; the outage lasts 12 s, past the deadline, the
            // session timeout (4 s) and libpq's connect timeout.
            let run = try FaultRun(databaseServer: server.url, attempts: 1000, kafka: ["max.poll.interval.ms=10000"])
            try run.run(
                "PostgreSQL down 12 s, batch deadline 4 s", seconds: 12, reached: ["batch failed; retrying"],
                fault: { try server.stop(.immediate) },
                restore: { try server.restart() })
            #expect(run.worker.log.contains("batch_deadline_s=4.0"), "the deadline follows max.poll.interval.ms")
            #expect(
                run.worker.log.contains("leaving the group until it can be"), "the fault never outlasted the deadline")
            run.h.database.drop()
        }

        @Test("every broker down, then up")
        func brokersDown() throws {
            // 12 s: longer than the session timeout (4 s) and the clients' request timeouts (10 s), so every
            // member of the worker loses its partitions and rejoins. The embedded broker leaves some connections
            // open but unanswered while down; clients give up on them after their request timeout.
            let run = try FaultRun(brokers: 3)
            try run.run(
                "all brokers down, 12 s", seconds: 12, publishDuringFault: false,
                reached: ["Connection refused", "all brokers are down", "Connect to"],
                fault: { for id in Int32(1)...3 { run.h.broker.setBroker(id, up: false) } },
                restore: { for id in Int32(1)...3 { run.h.broker.setBroker(id, up: true) } })
            #expect(
                run.worker.log.contains("Consumer group session timed out"), "the outage never outlasted the session")
            run.h.database.drop()
        }

        // Produce and offset-commit requests failing (injected broker errors) is no process proof any more: what
        // the lane does about them (a publish retried alone, a refused commit carried over) is LaneMachine's unit
        // tests, what the codes mean FailureTable's; refused commits in real processes remain in the row-lock
        // proof below and in the stalled-worker proof.

        @Test("a database call blocking longer than max.poll.interval.ms")
        func blockedLongerThanPollInterval() throws {
            let run = try FaultRun(kafka: ["max.poll.interval.ms=6000"])
            let blocker = try PostgresConnection(url: run.h.database.url)
            try run.run(
                "every tenant's lock held for 10 s (max.poll.interval.ms 6 s)", seconds: 10,
                reached: ["maximum poll interval"],
                fault: {
                    try blocker.query("BEGIN")
                    try blocker.query(TenantLocks.lockEveryTenant)
                }, restore: { try blocker.query("COMMIT") })
            #expect(run.worker.log.contains("maximum poll interval"), "the worker never exceeded max.poll.interval.ms")
            run.h.database.drop()
        }
    }
}

extension PipelineTests {
    @Suite("Failover: a session on a server that turned read-only")
    struct ReadOnlyFailoverTests {
        /// A stale connection to an old primary, on one server: every existing session turns read-only
        /// (`ALTER SYSTEM` and a reload), while new sessions are not (`ALTER DATABASE`, which only new sessions
        /// read, and which outranks the configuration file). Only a worker that reconnects on 25006 recovers
        /// before its 120 s batch deadline.
        @Test("on 25006 the worker reconnects, well inside the batch deadline")
        func readOnly() throws {
            let server = try PrivatePostgres.start(port: 25443)
            defer { try? server.stop() }
            // Undone on a new session: an old one is read-only by then, and ALTER DATABASE would fail in it.
            func undo() throws {
                let fresh = try PostgresConnection(url: server.url)
                try fresh.query("ALTER SYSTEM RESET default_transaction_read_only")
                try fresh.query("ALTER DATABASE postgres RESET default_transaction_read_only")
                try fresh.query("SELECT pg_reload_conf()")
            }
            try undo()
            defer { _ = try? undo() }
            let admin = try PostgresConnection(url: server.url)
            let run = try FaultRun(databaseServer: server.url, attempts: 1000)
            try run.run(
                "read-only session (25006)", seconds: 0, reached: ["25006"],
                fault: {
                    try admin.query("ALTER DATABASE postgres SET default_transaction_read_only = off")
                    try admin.query("ALTER SYSTEM SET default_transaction_read_only = on")
                    try admin.query("SELECT pg_reload_conf()")
                    // The reload is asynchronous; once this old session sees it, the postmaster has signalled every
                    // backend, and the worker's sessions turn read-only at their next statement.
                    let deadline = Date().addingTimeInterval(10)
                    while try admin.query("SHOW default_transaction_read_only").rows.first?.first != "on",
                        Date() < deadline
                    {
                        usleep(20_000)
                    }
                }, restore: {},
                allAnsweredWithin: WorkerConfiguration(brokers: "", databaseURL: "").batchDeadlineSeconds / 4)
            #expect(run.worker.log.contains("25006"), "the fault reached the worker")
            #expect(run.worker.log.contains("reconnected to PostgreSQL"))
            run.h.database.drop()
        }
    }
}
