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
    private let messageTimeoutMillis: Int

    /// LiveGate's producer defaults; `settings` override them. murmur2 partitioning matches the Java
    /// clients, so a tenant's records land on the same partition whichever client wrote them. Nagle is off,
    /// as in the Java clients: librdkafka sends one produce request per partition, and with Nagle on the
    /// requests after the first wait for the broker's delayed ACK. Requests time out after 10 s rather than
    /// 30 s (produce) or 60 s (others), well inside `message.timeout.ms`: a request stuck on a connection that
    /// died without a reset (a broker outage, a network partition) is then sent again on a new one instead
    /// of failing its messages (seen after all brokers were down 12 s: the one produce request on such a
    /// connection timed out together with its message).
    public static let defaults = KafkaSettings([
        ("enable.idempotence", "true"),
        ("acks", "all"),
        ("partitioner", "murmur2_random"),
        ("linger.ms", "2"),
        ("message.timeout.ms", "30000"),
        ("request.timeout.ms", "10000"),
        ("socket.timeout.ms", "10000"),
        ("queue.buffering.max.kbytes", "65536"),
        ("socket.nagle.disable", "true"),
    ])

    public init(brokers: String, settings: KafkaSettings = KafkaSettings()) throws(KafkaError) {
        var all = Self.defaults.merging(settings.forProducer)
        all["bootstrap.servers"] = brokers
        let conf = try all.makeConf()
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(deliveries).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, deliveryCallback)
        messageTimeoutMillis = Int(all["message.timeout.ms"] ?? "") ?? 300_000
        handle = try makeClient(RD_KAFKA_PRODUCER, conf)
    }

    deinit {
        rd_kafka_flush(handle, 5000)
        topics.values.forEach { rd_kafka_topic_destroy($0) }
        BoundedDestroy.destroy(handle, keepAlive: deliveries)
    }

    /// Publishes `records` and waits until every one of them is settled: acknowledged by the brokers, or
    /// failed. Throws the first failure (then some may have been written: callers resend, and consumers drop
    /// duplicates by id). Nothing of a call is left queued when it returns, so no late delivery report can
    /// be mistaken for the next call's, and no stale copy is delivered after a takeover's newer records.
    public func send(_ records: [ProducerRecord]) throws(KafkaError) {
        deliveries.reset()
        for record in records { try enqueue(record) }
        // Every message fails by itself after message.timeout.ms, so this flush ends by then; the margin only
        // guards against a wedged client, whose leftovers are purged below.
        let err = rd_kafka_flush(handle, Int32(clamping: messageTimeoutMillis + 15_000))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            rd_kafka_flush(handle, 5_000)  // serves the purged messages' delivery reports
        }
        if let failure = deliveries.firstFailure { throw failure }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "waiting for delivery") }
        if let fatal = fatalError() { throw fatal }
    }

    /// Queues `records` without waiting for them (load generators); `send` or `flush` settles them.
    public func enqueue(_ records: [ProducerRecord]) throws(KafkaError) {
        for record in records { try enqueue(record) }
        rd_kafka_poll(handle, 0)
    }

    /// Waits until everything queued is settled; throws the first failure since the last `send` or `flush`.
    public func flush() throws(KafkaError) {
        let err = rd_kafka_flush(handle, Int32(clamping: messageTimeoutMillis + 15_000))
        defer { deliveries.reset() }
        if let failure = deliveries.firstFailure { throw failure }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "waiting for delivery") }
    }

    /// The producer's fatal error, if it has one: an idempotent producer that lost its guarantees must be
    /// replaced, not retried.
    public func fatalError() -> KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &errstr, errstr.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code: code.rawValue, message: "producer: \(text(of: errstr))", isFatal: true)
    }

    private func enqueue(_ record: ProducerRecord) throws(KafkaError) {
        let topic = try topicHandle(record.topic)
        while true {
            let err = record.headers.isEmpty ? produce(record, to: topic) : produceWithHeaders(record, to: topic)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            if err == RD_KAFKA_RESP_ERR__FATAL, let fatal = fatalError() { throw fatal }
            guard err == RD_KAFKA_RESP_ERR__QUEUE_FULL else { throw KafkaError(err, "produce to \(record.topic)") }
            rd_kafka_poll(handle, 50)  // the local queue is bounded: let deliveries drain it
        }
    }

    private func produce(_ record: ProducerRecord, to topic: OpaquePointer) -> rd_kafka_resp_err_t {
        let rc = record.value.withUnsafeBytes { value in
            withKey(record.key) { key, keyLength in
                rd_kafka_produce(
                    topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                    UnsafeMutableRawPointer(mutating: value.baseAddress), value.count, key, keyLength, nil)
            }
        }
        return rc == 0 ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_last_error()
    }

    /// `rd_kafka_produce` takes no headers; `rd_kafka_produceva` does. The header list is built here and
    /// handed over whole (`RD_KAFKA_VTYPE_HEADERS`): librdkafka owns it only when the call succeeds, so on any
    /// error it is destroyed here. (Headers passed one by one, `RD_KAFKA_VTYPE_HEADER`, are freed twice by
    /// librdkafka when the message cannot be routed to a partition: confluentinc/librdkafka#4627.)
    private func produceWithHeaders(_ record: ProducerRecord, to topic: OpaquePointer) -> rd_kafka_resp_err_t {
        let headers = rd_kafka_headers_new(record.headers.count)
        for header in record.headers {
            _ = header.value.withUnsafeBytes { rd_kafka_header_add(headers, header.name, -1, $0.baseAddress, $0.count) }
        }
        let error: OpaquePointer? = record.value.withUnsafeBytes { value in
            withKey(record.key) { key, keyLength in
                var items = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: key == nil ? 4 : 5)
                items[0].vtype = RD_KAFKA_VTYPE_RKT
                items[0].u.rkt = topic
                items[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                items[1].u.i = RD_KAFKA_MSG_F_COPY
                items[2].vtype = RD_KAFKA_VTYPE_VALUE
                items[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                items[2].u.mem.size = value.count
                items[3].vtype = RD_KAFKA_VTYPE_HEADERS
                items[3].u.headers = headers
                if let key {
                    items[4].vtype = RD_KAFKA_VTYPE_KEY
                    items[4].u.mem.ptr = UnsafeMutableRawPointer(mutating: key)
                    items[4].u.mem.size = keyLength
                }
                return rd_kafka_produceva(handle, items, items.count)
            }
        }
        // Sent: the message, and its header list, are librdkafka's now.
        guard let error else { return RD_KAFKA_RESP_ERR_NO_ERROR }
        rd_kafka_headers_destroy(headers)
        defer { rd_kafka_error_destroy(error) }
        return rd_kafka_error_code(error)
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

let deliveryCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?)
        -> Void = { _, message, opaque in
            guard let message, let opaque, message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
            Unmanaged<Deliveries>.fromOpaque(opaque).takeUnretainedValue()
                .failed(
                    KafkaError(
                        message.pointee.err, "delivery to \(String(cString: rd_kafka_topic_name(message.pointee.rkt)))")
                )
        }
