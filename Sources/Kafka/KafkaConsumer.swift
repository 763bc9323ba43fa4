import CRdKafka

/// A consumer in a consumer group with manual offset commits.
///
/// Not thread-safe: one thread owns it and calls `poll`, `commit` and `close` (the worker's dedicated poll
/// thread; blocking librdkafka calls never run on the Swift concurrency pool). Rebalance callbacks run inside
/// `poll`, on that same thread, so the assignment a worker sees does not change while it applies a batch. The
/// group may still move the partitions meanwhile (a member frozen past its session): the commit is then
/// refused, and the next poll reports the revocation.
public final class KafkaConsumer {
    private let handle: OpaquePointer
    private let group: GroupState
    private var closed = false
    /// Called from `poll` with each error librdkafka reports on the consumer's queue (a partition that cannot
    /// be read, an authorization refused, a broker connection lost), which `poll` otherwise only logs: for
    /// readers outside a group that need to tell "nothing new" from "cannot read".
    public var onError: ((KafkaError) -> Void)?

    /// LiveGate's consumer defaults; `settings` override them. Eager `range` assignment (cooperative-sticky is
    /// unreliable in librdkafka 2.0.2), no auto commit, offsets stored only by `commit`, a bounded prefetch.
    public static let defaults = KafkaSettings([
        ("enable.auto.commit", "false"),
        ("enable.auto.offset.store", "false"),
        ("auto.offset.reset", "earliest"),
        ("partition.assignment.strategy", "range"),
        ("queued.max.messages.kbytes", "4096"),
        ("session.timeout.ms", "10000"),
        ("heartbeat.interval.ms", "1000"),
        ("max.poll.interval.ms", "300000"),
        // Requests stuck on a connection to a broker that went away are given up after 10 s, not 60 s.
        ("socket.timeout.ms", "10000"),
        // librdkafka leaves Nagle on by default; pipelined requests then wait for delayed ACKs (40 ms on Linux).
        ("socket.nagle.disable", "true"),
    ])

    public init(
        brokers: String, group groupId: String, topics: [String], instanceId: String? = nil,
        settings: KafkaSettings = KafkaSettings(), logger: KafkaLogSink? = nil
    ) throws(KafkaError) {
        var all = Self.defaults.merging(settings)
        // Logs go through the consumer queue, so the log callback runs on the polling thread.
        all["log.queue"] = "true"
        all["bootstrap.servers"] = brokers
        all["group.id"] = groupId
        if let instanceId { all["group.instance.id"] = instanceId }
        let conf = try all.makeConf()
        let group = GroupState(logger: logger)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(group).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        rd_kafka_conf_set_log_cb(conf, logCallback)
        handle = try makeClient(RD_KAFKA_CONSUMER, conf)
        self.group = group
        rd_kafka_set_log_queue(handle, nil)
        rd_kafka_poll_set_consumer(handle)
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        let err = rd_kafka_subscribe(handle, list)
        // Every property is set by now, so a throw here runs deinit, which destroys the handle.
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "subscribe") }
    }

    /// The offset that stands for a partition's first record, for `init(brokers:reading:)`.
    public static let beginning = Int64(RD_KAFKA_OFFSET_BEGINNING)

    /// A consumer outside any group that reads exactly `partitions`, each from the given offset: for
    /// replays, which must not disturb the live group and commit nothing.
    public convenience init(
        brokers: String, reading partitions: [TopicPartition: Int64],
        settings: KafkaSettings = KafkaSettings()
    ) throws(KafkaError) {
        // group.id is required by librdkafka; this one is never joined and never committed to.
        try self.init(brokers: brokers, offsetsOf: "livegate-reader", settings: settings)
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (tp, offset) in partitions {
            rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition).pointee.offset = offset
        }
        let err = rd_kafka_assign(handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "assign") }
        group.assign(Array(partitions.keys))
    }

    /// A consumer of `groupId` that never joins it and reads nothing: it asks the brokers about the group's
    /// committed offsets and about partitions (watermarks, offsets by time). It does not commit: `commit`
    /// needs a member of the group, and `GroupOffsets` resets a group's offsets through a member of its own.
    public init(brokers: String, offsetsOf groupId: String, settings: KafkaSettings = KafkaSettings())
        throws(KafkaError)
    {
        var all = Self.defaults.merging(settings)
        all["bootstrap.servers"] = brokers
        all["group.id"] = groupId
        let conf = try all.makeConf()
        group = GroupState(logger: nil)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(group).toOpaque())
        handle = try makeClient(RD_KAFKA_CONSUMER, conf)
        rd_kafka_poll_set_consumer(handle)
        closed = true  // no group to leave
    }

    /// The group's committed offset (the next record to read) of each partition; nil where it has none.
    public func committed(_ partitions: [TopicPartition], timeoutMillis: Int32 = 10_000) throws(KafkaError)
        -> [TopicPartition: Int64?]
    {
        guard !partitions.isEmpty else { return [:] }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for tp in partitions { rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition) }
        let err = rd_kafka_committed(handle, list, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "committed offsets") }
        var offsets: [TopicPartition: Int64?] = [:]
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            offsets[TopicPartition(topic: String(cString: e.topic), partition: e.partition)] =
                e.offset >= 0 ? e.offset : nil
        }
        return offsets
    }

    /// Records between this consumer's position and the end of each assigned partition, from what the last
    /// fetches reported (no request to the broker); partitions without a known position or end are left out.
    public func lag() -> [TopicPartition: Int64] {
        let assigned = Array(group.assigned)
        guard !assigned.isEmpty else { return [:] }
        let list = rd_kafka_topic_partition_list_new(Int32(assigned.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for tp in assigned { rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition) }
        guard rd_kafka_position(handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else { return [:] }
        var lag: [TopicPartition: Int64] = [:]
        for i in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[i]
            var low: Int64 = 0
            var high: Int64 = 0
            guard element.offset >= 0,
                rd_kafka_get_watermark_offsets(handle, element.topic, element.partition, &low, &high)
                    == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0
            else { continue }
            lag[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = max(
                0, high - element.offset)
        }
        return lag
    }

    /// The first offset and the offset after the last record of a partition, asked of the broker.
    public func watermarks(_ tp: TopicPartition, timeoutMillis: Int32 = 10_000) throws(KafkaError) -> (
        low: Int64, high: Int64
    ) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(handle, tp.topic, tp.partition, &low, &high, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, "watermarks of \(tp.topic)/\(tp.partition)")
        }
        return (low, high)
    }

    /// The first offset whose timestamp is at or after `millis`; the embedded broker cannot answer this.
    public func offset(_ tp: TopicPartition, atOrAfter millis: Int64, timeoutMillis: Int32 = 10_000) throws(KafkaError)
        -> Int64
    {
        let list = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition).pointee.offset = millis
        let err = rd_kafka_offsets_for_times(handle, list, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, list.pointee.elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : list.pointee.elems[0].err, "offsets for times")
        }
        return list.pointee.elems[0].offset
    }

    /// A consumer that `close` could not finish is destroyed without a second, unbounded close; and the
    /// destroy itself is bounded (`BoundedDestroy`).
    deinit {
        let group = group
        BoundedDestroy.destroy(
            handle, flags: closed ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, keepAlive: group,
            log: { group.logger?.log(level: 4, $0) })
    }

    /// The positions the broker no longer had since the last call (see `OffsetReset`); filled while polling.
    public func takeOffsetResets() -> [OffsetReset] { group.takeResets() }

    /// Partitions currently assigned to this member.
    public var assignment: Set<TopicPartition> { group.assigned }

    /// Whether this consumer holds an assignment of the group (an empty one counts: the group has more
    /// members than partitions); false before the first assignment and during a rebalance.
    public var isGroupMember: Bool { group.isMember }

    /// What `pollRecords` returned: every record the call took, and whether the group took partitions away
    /// during it (rebalances run inside the call), so the caller decides what to do with their records.
    public struct Polled: Sendable {
        public var records: [ConsumedRecord]
        public var revokedDuringPoll: Bool
    }

    /// Waits up to `maxWaitMillis` for a first record, then takes whatever else is already fetched, up to
    /// `maxRecords`. So a quiet topic is answered at once and a busy one in large batches. Records of
    /// partitions revoked during the call are dropped: their new owner reads them from the committed offset.
    public func poll(maxRecords: Int, maxWaitMillis: Int) throws(KafkaError) -> [ConsumedRecord] {
        var polled = try pollRecords(maxRecords: maxRecords, maxWaitMillis: maxWaitMillis)
        if polled.revokedDuringPoll {
            let owned = group.assigned
            polled.records.removeAll { !owned.contains(TopicPartition(topic: $0.topic, partition: $0.partition)) }
        }
        return polled.records
    }

    /// `poll` without the dropping: a worker's lane leaves that decision to its state machine (`LaneMachine`).
    public func pollRecords(maxRecords: Int, maxWaitMillis: Int) throws(KafkaError) -> Polled {
        var records: [ConsumedRecord] = []
        var wait = Int32(clamping: maxWaitMillis)
        let revocationsBefore = group.revocations
        while records.count < maxRecords {
            guard let message = rd_kafka_consumer_poll(handle, wait) else { break }
            defer { rd_kafka_message_destroy(message) }
            wait = 0
            let m = message.pointee
            if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                if m.err == RD_KAFKA_RESP_ERR__FATAL { throw fatalError("consumer") }
                group.logger?.log(level: 4, "consumer: \(String(cString: rd_kafka_err2str(m.err)))")
                let context = m.rkt.map { "reading \(String(cString: rd_kafka_topic_name($0))) [\(m.partition)]" }
                onError?(KafkaError(m.err, context ?? "consumer"))
                continue
            }
            records.append(Self.copy(message))
        }
        return Polled(records: records, revokedDuringPoll: group.revocations != revocationsBefore)
    }

    /// Commits, synchronously, `next` as the offset to resume from for each partition.
    public func commit(_ next: [TopicPartition: Int64]) throws(KafkaError) {
        guard !next.isEmpty else { return }
        let list = rd_kafka_topic_partition_list_new(Int32(next.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (tp, offset) in next {
            rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition).pointee.offset = offset
        }
        let err = rd_kafka_commit(handle, list, 0)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "commit") }
        for i in 0..<Int(list.pointee.cnt) where list.pointee.elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(list.pointee.elems[i].err, "commit of partition \(list.pointee.elems[i].partition)")
        }
    }

    /// If the group hands this member any of these partitions in its next assignment, reading starts at the
    /// offset given here rather than at the committed one: for offsets whose records were handled but whose
    /// commit the group refused while it rebalanced. An empty map cancels.
    public func resume(at offsets: [TopicPartition: Int64]) {
        group.resume(at: offsets)
    }

    /// Leaves the group (revoking partitions, so others take over at once; a static member, with
    /// `group.instance.id`, keeps them until its session times out), waiting at most `timeoutMillis`:
    /// in librdkafka 2.0.2 a lost partition can make an unbounded close hang.
    public func close(timeoutMillis: Int = 10_000) {
        guard let queue = rd_kafka_queue_new(handle) else { return }
        defer { rd_kafka_queue_destroy(queue) }
        if let error = rd_kafka_consumer_close_queue(handle, queue) { rd_kafka_error_destroy(error); return }
        var remaining = timeoutMillis
        while rd_kafka_consumer_closed(handle) == 0, remaining > 0 {
            if let event = rd_kafka_queue_poll(queue, 100) {
                if rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE {
                    rd_kafka_assign(handle, nil)
                    group.revokeAll()
                }
                rd_kafka_event_destroy(event)
            }
            remaining -= 100
        }
        closed = rd_kafka_consumer_closed(handle) != 0
    }

    private func fatalError(_ context: String) -> KafkaError {
        var errstr = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &errstr, errstr.count)
        return KafkaError(code: code.rawValue, message: "\(context): \(text(of: errstr))", isFatal: true)
    }

    static func timestampType(_ type: rd_kafka_timestamp_type_t) -> TimestampType {
        switch type {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: return .createTime
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: return .logAppendTime
        default: return .notAvailable
        }
    }

    static func copy(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> ConsumedRecord {
        let m = message.pointee
        func bytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8]? {
            guard let pointer else { return nil }
            return Array(UnsafeRawBufferPointer(start: pointer, count: count))
        }
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let millis = rd_kafka_message_timestamp(message, &type)
        var record = ConsumedRecord(
            topic: String(cString: rd_kafka_topic_name(m.rkt)), partition: m.partition, offset: m.offset,
            key: bytes(m.key, m.key_len), value: bytes(m.payload, m.len),
            timestampMillis: millis, timestampType: Self.timestampType(type))
        var headers: OpaquePointer?
        if rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers {
            var index = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR, let name
            {
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                record.headers.append(KafkaHeader(name: String(cString: name), value: bytes))
                index += 1
            }
        }
        return record
    }
}
