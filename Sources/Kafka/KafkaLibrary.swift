import CRdKafka

/// Facts about the linked librdkafka. The consumer, producer and embedded broker arrive with the pipeline.
public enum KafkaLibrary {
    /// The version string of the librdkafka this binary runs with, e.g. "2.0.2".
    public static var version: String { String(cString: rd_kafka_version_str()) }
}
