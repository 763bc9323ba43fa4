import CRdKafka

/// One configuration value of a topic as the cluster reports it.
public struct TopicConfigValue: Sendable, Equatable {
    public let value: String?
    /// Set on the topic itself (not a broker or cluster default): what an alteration must carry along.
    public let isTopicOverride: Bool

    public init(value: String?, isTopicOverride: Bool) {
        self.value = value
        self.isTopicOverride = isTopicOverride
    }
}

extension TopicAdmin {
    /// The configuration of each of `topics`, through DescribeConfigs.
    public func describeConfigs(_ topics: [String]) throws(KafkaError) -> [String: [String: TopicConfigValue]] {
        let resources = try topics.map { name throws(KafkaError) in try resource(name) }
        defer { resources.forEach { rd_kafka_ConfigResource_destroy($0) } }
        var list: [OpaquePointer?] = resources
        let results = try request(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, "describe topic configuration") { options, queue in
            rd_kafka_DescribeConfigs(handle, &list, list.count, options, queue)
        } extract: { event in
            var count = 0
            let result = rd_kafka_event_DescribeConfigs_result(event)
            let items = rd_kafka_DescribeConfigs_result_resources(result, &count)
            return (0..<count).map { items![$0] }
        }
        var configs: [String: [String: TopicConfigValue]] = [:]
        for resource in results {
            let name = String(cString: rd_kafka_ConfigResource_name(resource))
            let err = rd_kafka_ConfigResource_error(resource)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "describe configuration of \(name)") }
            var count = 0
            let entries = rd_kafka_ConfigResource_configs(resource, &count)
            var values: [String: TopicConfigValue] = [:]
            for i in 0..<count {
                let entry = entries![i]
                values[String(cString: rd_kafka_ConfigEntry_name(entry))] = TopicConfigValue(
                    value: rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) },
                    isTopicOverride: rd_kafka_ConfigEntry_source(entry) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG)
            }
            configs[name] = values
        }
        return configs
    }

    /// Replaces the topic-level configuration of `topic` with `config` (AlterConfigs, which librdkafka 2.0.2
    /// offers instead of the incremental form: whatever `config` leaves out falls back to the broker's
    /// default, so callers pass every override they mean to keep).
    public func replaceConfig(of topic: String, with config: [String: String]) throws(KafkaError) {
        let item = try resource(topic)
        defer { rd_kafka_ConfigResource_destroy(item) }
        for (key, value) in config.sorted(by: { $0.key < $1.key }) {
            let err = rd_kafka_ConfigResource_set_config(item, key, value)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "configure \(topic) \(key)") }
        }
        var list: [OpaquePointer?] = [item]
        let errors = try request(RD_KAFKA_ADMIN_OP_ALTERCONFIGS, "alter topic configuration") { options, queue in
            rd_kafka_AlterConfigs(handle, &list, 1, options, queue)
        } extract: { event in
            var count = 0
            let result = rd_kafka_event_AlterConfigs_result(event)
            let items = rd_kafka_AlterConfigs_result_resources(result, &count)
            return (0..<count).map { rd_kafka_ConfigResource_error(items![$0]) }
        }
        if let err = errors.first(where: { $0 != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError(err, "alter configuration of \(topic)")
        }
    }

    private func resource(_ topic: String) throws(KafkaError) -> OpaquePointer {
        guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic) else {
            throw .invalid("topic \(topic): not a configuration resource")
        }
        return resource
    }

    /// Runs one admin request and reads its result event, each bounded by `timeoutMillis`.
    private func request<T>(
        _ op: rd_kafka_admin_op_t, _ what: String,
        send: (OpaquePointer?, OpaquePointer?) -> Void,
        extract: (OpaquePointer) -> [T]
    ) throws(KafkaError) -> [T] {
        var errstr = [CChar](repeating: 0, count: 512)
        let queue = rd_kafka_queue_new(handle)!
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, op)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMillis, &errstr, errstr.count)
        send(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMillis + 5000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, what)
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, what) }
        return extract(event)
    }
}
