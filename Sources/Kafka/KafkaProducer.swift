import CRdKafka
import Synchronization

/// An idempotent producer (`acks=all`, `enable.idempotence=true`): retries inside librdkafka never duplicate
/// or reorder a partition's records. `send` returns only when every record of the call is acknowledged.
///
/// Not thread-safe: one worker thread owns it.
public final class KafkaProducer {
    private let handle: OpaquePointer
    private let deliveries = Deliveries()
    private var topics: [String: OpaquePointer] = [:]

    /// LiveGate's producer defaults; `settings` override them. murmur2 partitioning matches the Java
    /// clients, so a tenant's records land on the same partition whichever client wrote them.
    public static let defaults = KafkaSettings([
        ("enable.idempotence", "true"),
        ("acks", "all"),
        ("partitioner", "murmur2_random"),
        ("linger.ms", "2"),
        ("message.timeout.ms", "30000"),
        ("queue.buffering.max.kbytes", "65536"),
    ])

    public init(brokers: String, settings: KafkaSettings = KafkaSettings()) throws(KafkaError) {
        var all = Self.defaults.merging(settings.forProducer)
        all["bootstrap.servers"] = brokers
        let conf = try all.makeConf()
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(deliveries).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, deliveryCallback)
        handle = try makeClient(RD_KAFKA_PRODUCER, conf)
    }

    deinit {
        rd_kafka_flush(handle, 5000)
        topics.values.forEach { rd_kafka_topic_destroy($0) }
        rd_kafka_destroy(handle)
    }

    /// Publishes `records` and waits until the brokers acknowledged all of them, or throws the first failure
    /// (then some may have been written: callers resend, and consumers drop duplicates by id).
    public func send(_ records: [ProducerRecord], timeoutMillis: Int = 30_000) throws(KafkaError) {
        deliveries.reset()
        for record in records { try enqueue(record) }
        let err = rd_kafka_flush(handle, Int32(clamping: timeoutMillis))
        if let failure = deliveries.firstFailure { throw failure }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "waiting for delivery") }
    }

    private func enqueue(_ record: ProducerRecord) throws(KafkaError) {
        let topic = try topicHandle(record.topic)
        while true {
            let rc = record.value.withUnsafeBytes { value in
                withKey(record.key) { key, keyLength in
                    rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                     UnsafeMutableRawPointer(mutating: value.baseAddress), value.count,
                                     key, keyLength, nil)
                }
            }
            if rc == 0 { return }
            let err = rd_kafka_last_error()
            guard err == RD_KAFKA_RESP_ERR__QUEUE_FULL else { throw KafkaError(err, "produce to \(record.topic)") }
            rd_kafka_poll(handle, 50)  // the local queue is bounded: let deliveries drain it
        }
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        if let topic = topics[name] { return topic }
        guard let topic = rd_kafka_topic_new(handle, name, nil) else {
            throw KafkaError(rd_kafka_last_error(), "topic \(name)")
        }
        topics[name] = topic
        return topic
    }
}

private func withKey<R>(_ key: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
    guard let key else { return body(nil, 0) }
    return key.withUnsafeBytes { body($0.baseAddress, $0.count) }
}

/// Delivery outcomes of the current `send`, written by librdkafka's delivery callback.
final class Deliveries: Sendable {
    private let failure = Mutex<KafkaError?>(nil)

    func reset() { failure.withLock { $0 = nil } }
    var firstFailure: KafkaError? { failure.withLock { $0 } }

    func failed(_ error: KafkaError) {
        failure.withLock { if $0 == nil { $0 = error } }
    }
}

let deliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?)
    -> Void = { _, message, opaque in
    guard let message, let opaque, message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
    Unmanaged<Deliveries>.fromOpaque(opaque).takeUnretainedValue()
        .failed(KafkaError(message.pointee.err, "delivery to \(String(cString: rd_kafka_topic_name(message.pointee.rkt)))"))
}
