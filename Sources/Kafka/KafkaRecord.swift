/// A record read from a topic, copied out of librdkafka's buffers.
public struct ConsumedRecord: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]?
    /// Milliseconds since the epoch (create or log-append time), or -1 when the record has none.
    public let timestampMillis: Int64
    /// Who stamped `timestampMillis`: the producer (`CreateTime`) or the broker (`LogAppendTime`, when the
    /// topic says `message.timestamp.type=LogAppendTime`).
    public let timestampType: TimestampType
    /// The record's headers, in order.
    public var headers: [KafkaHeader] = []

    /// The value of the last header named `name`, if any.
    public func header(_ name: String) -> [UInt8]? { headers.last { $0.name == name }?.value }
}

/// Who set a record's timestamp (librdkafka's `rd_kafka_timestamp_type_t`).
public enum TimestampType: Sendable, Equatable {
    case notAvailable
    case createTime
    case logAppendTime
}

/// A record header: a name and a value (Kafka allows the same name more than once).
public struct KafkaHeader: Sendable, Equatable {
    public let name: String
    public let value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// A record to publish. The key decides the partition (murmur2, as Java clients do).
public struct ProducerRecord: Sendable {
    public let topic: String
    public let key: [UInt8]?
    public let value: [UInt8]
    public let headers: [KafkaHeader]

    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// A topic partition, with the next offset to read when committing.
public struct TopicPartition: Sendable, Hashable {
    public let topic: String
    public let partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
}
