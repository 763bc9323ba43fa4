import Kafka
import Postgres
import Testing

@testable import LiveGatePipeline
@testable import LiveGateStore

/// One test per row of `FailureTable`: what a SQLSTATE or a librdkafka code means for a lane.
@Suite("What a failure means: PostgreSQL")
struct FailureTablePostgresTests {
    func classes(_ states: [String]) -> Set<FailureTable.Postgres> {
        Set(states.map { FailureTable.postgres(sqlState: $0, brokenConnection: false) })
    }

    @Test("serialization failure, deadlock, unknown commit outcome, a concurrent insert: a lost race, retried")
    func lostRace() {
        #expect(classes(["40001", "40P01", "40003", "23505"]) == [.lostRace])
        #expect(FailureTable.Postgres.lostRace.applyFailure == .transient(needsNewConnection: false))
    }

    @Test("a connection libpq lost, class 08, an admin shutdown: a new connection, then a retry")
    func connectionLost() {
        #expect(classes(["08006", "08001", "57P01", "57P02", "57P03"]) == [.connectionLost])
        #expect(
            FailureTable.postgres(sqlState: "28P01", brokenConnection: true) == .connectionLost,
            "lost is lost, whatever SQLSTATE came with it")
        #expect(FailureTable.postgres(sqlState: nil, brokenConnection: true) == .connectionLost)
        #expect(FailureTable.Postgres.connectionLost.applyFailure == .transient(needsNewConnection: true))
    }

    @Test("a read-only transaction (an old primary after failover): a new connection finds the new primary")
    func readOnly() {
        #expect(classes(["25006"]) == [.readOnly])
        #expect(FailureTable.Postgres.readOnly.applyFailure == .transient(needsNewConnection: true))
    }

    @Test("a statement or lock timeout: retried on the same connection")
    func timedOut() {
        #expect(classes(["57014", "55P03"]) == [.timedOut])
        #expect(FailureTable.Postgres.timedOut.applyFailure == .transient(needsNewConnection: false))
    }

    @Test("out of resources (53, 58, too many connections 57P04): retried")
    func outOfResources() {
        #expect(classes(["53100", "53300", "58030", "57P04"]) == [.outOfResources])
        #expect(FailureTable.Postgres.outOfResources.applyFailure == .transient(needsNewConnection: false))
    }

    @Test("data exceptions, constraints, program limits, routines and triggers: the records are isolated")
    func refusesData() {
        #expect(classes(["22003", "23514", "23502", "54000", "P0001", "2F005", "38001", "39001"]) == [.refusesData])
        #expect(FailureTable.Postgres.refusesData.applyFailure == .refusesData)
    }

    @Test("a missing table, a revoked privilege, no SQLSTATE at all: every batch is refused alike, retried")
    func refusesEveryBatch() {
        #expect(classes(["42P01", "42501", "28000", "XX000"]) == [.refusesEveryBatch])
        #expect(FailureTable.postgres(sqlState: nil, brokenConnection: false) == .refusesEveryBatch)
        #expect(FailureTable.Postgres.refusesEveryBatch.applyFailure == .refusesEveryBatch)
    }

    @Test("store errors: a broken invariant is isolated to name its record, exhausted retries are retried")
    func storeErrors() {
        let broken = StoreError.database(
            PostgresError(
                kind: .server, sqlState: "23514", message: "",
                table: "usage_windows"))
        #expect(FailureTable.apply(broken) == .refusesData)
        let exhausted = StoreError(kind: .retriesExhausted, message: "", underlying: nil)
        #expect(FailureTable.apply(exhausted) == .transient(needsNewConnection: false))
        let lost = StoreError.database(PostgresError(kind: .connection, message: "gone"))
        #expect(FailureTable.apply(lost) == .transient(needsNewConnection: true))
        #expect(FailureTable.apply(CancellationError()) == .transient(needsNewConnection: false))
    }

    @Test("a heartbeat error without a PostgreSQL error to read is taken for a lost connection")
    func heartbeatReconnects() {
        #expect(FailureTable.needsNewConnection(CancellationError()))
        let timeout = StoreError.database(PostgresError(kind: .server, sqlState: "57014", message: ""))
        #expect(!FailureTable.needsNewConnection(timeout))
    }
}

@Suite("What a failure means: librdkafka")
struct FailureTableKafkaTests {
    func classes(_ codes: [Int32]) -> Set<FailureTable.Kafka> {
        Set(codes.map { FailureTable.kafka(code: $0, isFatal: false) })
    }

    @Test("fatal, whatever the code: a new producer, then a retry")
    func fatal() {
        #expect(FailureTable.kafka(code: -195, isFatal: true) == .fatal)
        #expect(FailureTable.kafka(KafkaError(code: 47, message: "fenced", isFatal: true)) == .fatal)
        #expect(FailureTable.Kafka.fatal.publishFailure == .fatalProducer)
    }

    @Test("transport, all brokers down, timeouts, resolve, partition EOF: passing, retried with the same producer")
    func passing() {
        #expect(classes([-195, -187, -185, -193, -191, 7]) == [.passing])
        #expect(FailureTable.Kafka.passing.publishFailure == .transient)
    }

    @Test("message timeouts, a full queue, leadership and coordinator moves, too few replicas: retriable")
    func retriable() {
        #expect(classes([-192, -184, 5, 6, 13, 14, 15, 16, 19, 20, 27, 56]) == [.retriable])
        #expect(FailureTable.Kafka.retriable.publishFailure == .transient)
    }

    @Test("unknown topic or partition, bad arguments, authentication, sizes, authorization: refused, retried")
    func refused() {
        #expect(classes([-188, -190, -186, -169, 3, 10, 18, 29, 31]) == [.refused])
        #expect(FailureTable.Kafka.refused.publishFailure == .transient)
    }

    @Test("anything else is unknown, and retried")
    func unknown() {
        #expect(classes([-1, 1, 87]) == [.unknown])
        #expect(FailureTable.kafka(CancellationError()) == .unknown)
        #expect(FailureTable.Kafka.unknown.publishFailure == .transient)
    }
}
