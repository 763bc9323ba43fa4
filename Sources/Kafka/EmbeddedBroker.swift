import CRdKafka

/// librdkafka's mock cluster: real Kafka-protocol brokers on loopback TCP ports, inside this process.
/// For `livegate dev` and the tests. It supports consumer groups, commits, idempotent produce, brokers going
/// down and up and injected request errors; it does not look up offsets by timestamp and ignores
/// `read_committed`, so nothing here relies on those.
public final class EmbeddedBroker: @unchecked Sendable {  // the mock cluster locks internally
    private let client: OpaquePointer
    private let cluster: OpaquePointer
    /// `host:port,…` for `bootstrap.servers`.
    public let bootstrapServers: String

    public init(brokers: Int = 1) throws(KafkaError) {
        var settings = KafkaSettings()
        settings["log_level"] = "3"
        // The mock brokers' accepted sockets take their options from this client. With Nagle on, every
        // response after the first on a connection waited for the client's delayed ACK: a 500-record
        // produce over 12 partitions took 44 ms instead of under 1 ms.
        settings["socket.nagle.disable"] = "true"
        client = try makeClient(RD_KAFKA_PRODUCER, try settings.makeConf())
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(brokers)) else {
            rd_kafka_destroy(client)
            throw .invalid("could not start the embedded broker")
        }
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(client)
    }

    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "create topic \(name)") }
    }

    /// Takes broker `id` (1-based) off the network, or brings it back.
    public func setBroker(_ id: Int32, up: Bool) {
        _ = up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id)
    }

    /// Makes the next requests of Kafka API `apiKey` (e.g. 0 Produce, 8 OffsetCommit) fail with `errors`.
    public func failNextRequests(apiKey: Int16, errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t($0) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, &codes)
    }
}
