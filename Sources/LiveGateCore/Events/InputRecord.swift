/// A record as it came off an input topic: bytes and origin, nothing interpreted yet.
public struct InputRecord: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]?
    /// The Kafka record timestamp; `nil` when the record has none (pre-0.10 message format).
    public let timestamp: UTCInstant?
    /// Who set `timestamp`. Only the broker's clock (`LogAppendTime`) is trusted to date an input, unless the
    /// worker allows producer time (`Rules.allowProducerTime`).
    public let timestampSource: TimestampSource

    public enum TimestampSource: Sendable, Equatable {
        /// `LogAppendTime`: the broker stamped the record when it arrived.
        case broker
        /// `CreateTime`, or no timestamp at all: whatever the producer said.
        case producer
    }

    public init(
        topic: String, partition: Int32 = 0, offset: Int64 = 0, key: [UInt8]?, value: [UInt8]?,
        timestamp: UTCInstant?, timestampSource: TimestampSource
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.timestampSource = timestampSource
    }
}

/// Why a record cannot be addressed and goes to the dead-letter topic.
public enum DeadLetterError: String, Sendable, CaseIterable {
    case recordTooLarge = "record_too_large"
    case invalidJSON = "invalid_json"
    case notAnObject = "not_an_object"
    case invalidEventId = "invalid_event_id"
    case invalidTenantId = "invalid_tenant_id"
    case invalidType = "invalid_type"
    case typeNotOnTopic = "type_not_on_topic"
    case keyMismatch = "key_mismatch"
    case idempotencyConflict = "idempotency_conflict"
    /// PostgreSQL refused this record's batch for a reason retrying cannot fix, and this record alone when
    /// the batch was split to find it; every other record of the batch was applied.
    case applyFailed = "apply_failed"
    /// The record's timestamp was set by its producer, not the broker (contract v1.2, "Nothing fails open"),
    /// and the worker does not allow producer time.
    case producerTimestamp = "producer_timestamp"
}

/// A record bound for the dead-letter topic: what is wrong, in words free of payload text.
public struct DeadLetterReason: Sendable, Equatable {
    public let error: DeadLetterError
    public let message: String
    /// What could be read of the record's identity, for the operator.
    public let eventId: String?
    public let tenantId: String?
    /// For `apply_failed`: the SQLSTATE PostgreSQL refused the record with, when it sent one.
    public let sqlState: String?

    public init(
        _ error: DeadLetterError, _ message: String, eventId: String? = nil, tenantId: String? = nil,
        sqlState: String? = nil
    ) {
        self.error = error
        self.message = message
        self.eventId = eventId
        self.tenantId = tenantId
        self.sqlState = sqlState
    }
}
