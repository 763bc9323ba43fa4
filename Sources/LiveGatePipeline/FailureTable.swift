import Kafka
import LiveGateStore
import Postgres

/// What a failure means for a lane, read from its codes alone: the one table the executor consults, so each
/// row has a unit test and no `catch` decides on its own. Pure: no I/O, no logging.
///
/// PostgreSQL, by SQLSTATE (class = its first two characters):
///
/// | SQLSTATE                         | class              | the lane                                      |
/// |----------------------------------|--------------------|-----------------------------------------------|
/// | 40001, 40P01, 40003, 23505       | `lostRace`         | retries the batch (the store already retried)  |
/// | a connection libpq lost, 08xxx, 57P01–57P03 | `connectionLost` | a new connection, then retries |
/// | 25006                            | `readOnly`         | a new connection (finds the new primary)        |
/// | 57014, 55P03                     | `timedOut`         | retries (statement or lock timeout)            |
/// | 53xxx, 58xxx, 57P04              | `outOfResources`   | retries                                       |
/// | 22, 23 (not 23505), 54, P0, 2F, 38, 39 | `refusesData` | isolates the records refused alone            |
/// | 42xxx, 28xxx, anything else      | `refusesEveryBatch`| retries as for an outage, logged as an error    |
///
/// 23505 is a lost race here, not refused data: the store runs a batch again when a concurrent insert of the
/// same event id beat it, so a 23505 that reaches the lane means those retries ran out.
enum FailureTable {
    enum Postgres: Equatable, CaseIterable {
        case lostRace, connectionLost, readOnly, timedOut, outOfResources, refusesData, refusesEveryBatch

        /// What a batch does about it.
        var applyFailure: LaneMachine.ApplyFailure {
            switch self {
            case .connectionLost, .readOnly: .transient(needsNewConnection: true)
            case .lostRace, .timedOut, .outOfResources: .transient(needsNewConnection: false)
            case .refusesData: .refusesData
            case .refusesEveryBatch: .refusesEveryBatch
            }
        }
    }

    /// A PostgreSQL failure by SQLSTATE; `brokenConnection` when libpq lost the connection (it then has none).
    static func postgres(sqlState: String?, brokenConnection: Bool) -> Postgres {
        // A connection libpq lost is lost whatever SQLSTATE came with it (an auth failure while reconnecting).
        if brokenConnection { return .connectionLost }
        guard let state = sqlState else { return .refusesEveryBatch }
        switch state {
        case "40001", "40P01", "40003", "23505": return .lostRace
        case "57P01", "57P02", "57P03": return .connectionLost
        case "25006": return .readOnly
        case "57014", "55P03": return .timedOut
        case "57P04": return .outOfResources
        default: break
        }
        switch state.prefix(2) {
        case "08": return .connectionLost
        case "53", "58": return .outOfResources
        case "22", "23", "54", "P0", "2F", "38", "39": return .refusesData
        default: return .refusesEveryBatch  // 42 (a missing table, a revoked privilege), 28 (authorization), …
        }
    }

    static func postgres(_ error: PostgresError) -> Postgres {
        postgres(sqlState: error.sqlState, brokenConnection: error.kind == .connection)
    }

    /// What applying a batch does about `error`. A broken store invariant is isolated first, so that the one
    /// record that breaks it is named (`RecordIsolation` then throws `BrokenInvariant`); anything that is not
    /// the store's (a bug in a layer between) is retried like a passing failure.
    static func apply(_ error: Error) -> LaneMachine.ApplyFailure {
        guard let error = error as? StoreError else { return .transient(needsNewConnection: false) }
        switch error.kind {
        case .invariantViolated: return .refusesData
        case .retriesExhausted: return .transient(needsNewConnection: false)
        case .database: return error.underlying.map { postgres($0).applyFailure } ?? .refusesEveryBatch
        }
    }

    /// Whether only a new connection mends `error` (a heartbeat refused). Without a PostgreSQL error to read,
    /// assume the connection is lost: a reconnect costs one round trip, a dead connection kept costs every batch.
    static func needsNewConnection(_ error: Error) -> Bool {
        guard let underlying = (error as? StoreError)?.underlying else { return true }
        return postgres(underlying).applyFailure == .transient(needsNewConnection: true)
    }

    /// librdkafka, by error code (negative: the client's own; positive: the broker's). Publishing retries in
    /// every class (bounded by the batch deadline); only the first replaces the producer, and the log level
    /// says which class it was:
    ///
    /// - `fatal`: any code, when the client says fatal (a fenced idempotent producer): a new producer first.
    /// - `passing`: _TRANSPORT, _ALL_BROKERS_DOWN, _TIMED_OUT, _RESOLVE, _PARTITION_EOF, REQUEST_TIMED_OUT:
    ///   the client recovers by itself.
    /// - `retriable`: _MSG_TIMED_OUT, _QUEUE_FULL, LEADER_NOT_AVAILABLE, NOT_LEADER_FOR_PARTITION,
    ///   NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
    ///   NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REBALANCE_IN_PROGRESS, KAFKA_STORAGE_ERROR.
    /// - `refused`: _UNKNOWN_TOPIC, _UNKNOWN_PARTITION, _INVALID_ARG, _AUTHENTICATION, UNKNOWN_TOPIC_OR_PART,
    ///   MSG_SIZE_TOO_LARGE, RECORD_LIST_TOO_LARGE, TOPIC_ and CLUSTER_AUTHORIZATION_FAILED: retried as for an
    ///   outage (someone must mend it), logged as an error.
    /// - `unknown`: anything else, retried and logged with its name.
    enum Kafka: Equatable, CaseIterable {
        case fatal, passing, retriable, refused, unknown

        var publishFailure: LaneMachine.PublishFailure { self == .fatal ? .fatalProducer : .transient }
    }

    static let passingKafkaCodes: Set<Int32> = [-195, -187, -185, -193, -191, 7]
    static let retriableKafkaCodes: Set<Int32> = [-192, -184, 5, 6, 13, 14, 15, 16, 19, 20, 27, 56]
    static let refusedKafkaCodes: Set<Int32> = [-188, -190, -186, -169, 3, 10, 18, 29, 31]

    static func kafka(code: Int32, isFatal: Bool) -> Kafka {
        if isFatal { return .fatal }
        if passingKafkaCodes.contains(code) { return .passing }
        if retriableKafkaCodes.contains(code) { return .retriable }
        if refusedKafkaCodes.contains(code) { return .refused }
        return .unknown
    }

    static func kafka(_ error: Error) -> Kafka {
        guard let error = error as? KafkaError else { return .unknown }
        return kafka(code: error.code, isFatal: error.isFatal)
    }
}
