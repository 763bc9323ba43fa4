import CRdKafka

/// What a topic should look like.
public struct TopicSpec: Sendable, Equatable {
    public let name: String
    public let partitions: Int
    public let replicationFactor: Int
    public let config: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int, config: [String: String]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}

/// A topic as the cluster's metadata describes it.
public struct TopicState: Sendable, Equatable {
    public let partitions: Int
    /// The smallest replica count over the topic's partitions.
    public let replicationFactor: Int
}

/// Creates missing topics and reads back what exists, through a short-lived admin client.
public final class TopicAdmin {
    let handle: OpaquePointer
    /// Bound on each metadata or admin request. Default 15 s.
    public let timeoutMillis: Int32

    public init(brokers: String, settings: KafkaSettings = KafkaSettings(), timeoutMillis: Int32 = 15_000)
        throws(KafkaError)
    {
        var all = settings.forProducer  // a producer handle: consumer properties would only make it warn
        all["bootstrap.servers"] = brokers
        handle = try makeClient(RD_KAFKA_PRODUCER, try all.makeConf())
        self.timeoutMillis = timeoutMillis
    }

    deinit { rd_kafka_destroy(handle) }

    /// Every topic of the cluster with its partition count and replication factor.
    public func describe() throws(KafkaError) -> [String: TopicState] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(err, "metadata") }
        defer { rd_kafka_metadata_destroy(metadata) }
        var topics: [String: TopicState] = [:]
        for i in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[i]
            // A topic with an error (e.g. leader not yet elected right after creation) still exists.
            guard topic.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART else { continue }
            let replicas = (0..<Int(topic.partition_cnt)).map { Int(topic.partitions[$0].replica_cnt) }
            topics[String(cString: topic.topic)] = TopicState(
                partitions: Int(topic.partition_cnt),
                replicationFactor: replicas.min() ?? 0)
        }
        return topics
    }

    /// Creates `specs` with their configuration. Returns an error per topic that could not be created;
    /// a topic that already exists is not an error.
    public func create(_ specs: [TopicSpec]) throws(KafkaError) -> [String: KafkaError] {
        guard !specs.isEmpty else { return [:] }
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        for spec in specs {
            guard
                let topic = rd_kafka_NewTopic_new(
                    spec.name, Int32(spec.partitions), Int32(spec.replicationFactor),
                    &errstr, errstr.count)
            else { throw .invalid("topic \(spec.name): \(text(of: errstr))") }
            newTopics.append(topic)
            for (key, value) in spec.config.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(topic, key, value)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "topic \(spec.name) \(key)") }
            }
        }
        let queue = rd_kafka_queue_new(handle)!
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMillis, &errstr, errstr.count)
        rd_kafka_CreateTopics(handle, &newTopics, newTopics.count, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMillis + 5000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, "create topics")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR, let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(eventError, "create topics")
        }
        var count = 0
        let results = rd_kafka_CreateTopics_result_topics(result, &count)
        var failures: [String: KafkaError] = [:]
        for i in 0..<count {
            let err = rd_kafka_topic_result_error(results![i])
            if err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                failures[String(cString: rd_kafka_topic_result_name(results![i]))] = KafkaError(err, "create topic")
            }
        }
        return failures
    }
}
