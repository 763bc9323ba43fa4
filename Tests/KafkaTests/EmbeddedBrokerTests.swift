import Kafka
import Testing

@Suite("Consumer, producer and the embedded broker over real TCP")
struct EmbeddedBrokerTests {
    /// The mock cluster holds a rebalance for session.timeout.ms − 1 s after a member leaves: keep it short
    /// (but above its 3 s initial rebalance delay, or first joins time out).
    static let quickGroup = KafkaSettings([("session.timeout.ms", "4000"), ("heartbeat.interval.ms", "500")])

    func consumeAll(_ consumer: KafkaConsumer, expecting count: Int) throws -> [ConsumedRecord] {
        var records: [ConsumedRecord] = []
        for _ in 0..<100 where records.count < count {
            records += try consumer.poll(maxRecords: 100, maxWaitMillis: 200)
        }
        return records
    }

    @Test("records survive the round trip, keyed records keep one partition, commits resume a group")
    func roundTrip() throws {
        let broker = try EmbeddedBroker(brokers: 3)
        try broker.createTopic("t.in", partitions: 4, replicationFactor: 3)
        let producer = try KafkaProducer(brokers: broker.bootstrapServers)
        let records = (0..<40).map {
            ProducerRecord(topic: "t.in", key: Array("tenant-\($0 % 5)".utf8), value: Array("value-\($0)".utf8))
        }
        try producer.send(records)

        let consumer = try KafkaConsumer(
            brokers: broker.bootstrapServers, group: "g", topics: ["t.in"],
            settings: Self.quickGroup)
        let first = try consumeAll(consumer, expecting: 40)
        #expect(first.count == 40)
        #expect(Set(first.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }).count == 40)
        var partitionOfKey: [String: Set<Int32>] = [:]
        for r in first { partitionOfKey[String(decoding: r.key ?? [], as: UTF8.self), default: []].insert(r.partition) }
        #expect(partitionOfKey.values.allSatisfy { $0.count == 1 })
        #expect(first.allSatisfy { $0.timestampMillis > 0 })

        // Commit only the first half of each partition, then resume in a new member of the group.
        var next: [TopicPartition: Int64] = [:]
        var half: [TopicPartition: [Int64]] = [:]
        for r in first { half[TopicPartition(topic: r.topic, partition: r.partition), default: []].append(r.offset) }
        for (tp, offsets) in half { next[tp] = offsets.sorted()[offsets.count / 2] }
        try consumer.commit(next)
        consumer.close()
        let resumed = try KafkaConsumer(
            brokers: broker.bootstrapServers, group: "g", topics: ["t.in"],
            settings: Self.quickGroup)
        let rest = try consumeAll(resumed, expecting: 40 - next.values.reduce(0) { $0 + Int($1) })
        #expect(rest.count == 40 - next.values.reduce(0) { $0 + Int($1) })
        #expect(rest.allSatisfy { $0.offset >= next[TopicPartition(topic: $0.topic, partition: $0.partition)]! })
        resumed.close()
    }

    @Test("headers travel with their record, in order, repeated names included; records without keep none")
    func headers() throws {
        let broker = try EmbeddedBroker(brokers: 1)
        try broker.createTopic("t.h", partitions: 1, replicationFactor: 1)
        let producer = try KafkaProducer(brokers: broker.bootstrapServers)
        let headers = [
            KafkaHeader(name: "a", value: Array("1".utf8)), KafkaHeader(name: "empty", value: []),
            KafkaHeader(name: "a", value: [0, 255]),
        ]
        try producer.send([
            ProducerRecord(topic: "t.h", key: nil, value: Array("with".utf8), headers: headers),
            ProducerRecord(topic: "t.h", key: Array("k".utf8), value: Array("without".utf8)),
        ])
        let consumer = try KafkaConsumer(
            brokers: broker.bootstrapServers, reading: [TopicPartition(topic: "t.h", partition: 0): 0])
        let records = try consumeAll(consumer, expecting: 2)
        #expect(records.map(\.headers) == [headers, []])
        #expect(
            records.first?.header("a") == [0, 255] && records.first?.key == nil && records.last?.header("a") == nil)
        consumer.close()

        // Keyed records (as verdicts are) land on their key's partition with headers or without.
        try broker.createTopic("t.k", partitions: 6, replicationFactor: 1)
        let keyed = (0..<12).flatMap { i in
            [
                ProducerRecord(
                    topic: "t.k", key: Array("tenant-\(i)".utf8), value: Array("h\(i)".utf8), headers: [headers[0]]),
                ProducerRecord(topic: "t.k", key: Array("tenant-\(i)".utf8), value: Array("p\(i)".utf8)),
            ]
        }
        try producer.send(keyed)
        let all = try KafkaConsumer(
            brokers: broker.bootstrapServers,
            reading: Dictionary(
                uniqueKeysWithValues: (0..<6).map { (TopicPartition(topic: "t.k", partition: Int32($0)), Int64(0)) }))
        let read = try consumeAll(all, expecting: 24)
        #expect(read.count == 24)
        var partitions: [String: Set<Int32>] = [:]
        for r in read { partitions[String(decoding: r.key ?? [], as: UTF8.self), default: []].insert(r.partition) }
        #expect(partitions.count == 12 && partitions.values.allSatisfy { $0.count == 1 })
        #expect(read.filter { $0.value?.first == UInt8(ascii: "h") }.allSatisfy { $0.headers == [headers[0]] })
        all.close()
    }

    @Test("errors the client recovers from by itself pass; a refused or missing topic does not")
    func passingErrors() {
        for code: Int32 in [-195, -187, -185, -191, -193, 7] {
            #expect(KafkaError(code: code, message: "").isPassing, "\(code)")
        }
        for code: Int32 in [29, 3, -188, 1] { #expect(!KafkaError(code: code, message: "").isPassing, "\(code)") }
    }

    @Test("a list of settings splits at commas that start a new key=value")
    func settingsList() {
        #expect(
            KafkaSettings.entries("debug=cgrp,fetch,acks=all\nlinger.ms=5") == [
                "debug=cgrp,fetch", "acks=all", "linger.ms=5",
            ])
        #expect(KafkaSettings.entries("") == [])
    }

    @Test("bad settings are refused with the key named and the value kept out")
    func badSettings() throws {
        #expect(throws: KafkaError.self) { try KafkaSettings.parse(["novalue"]) }
        let settings = try KafkaSettings.parse(["sasl.password=hunter2", "no.such.property=x"])
        do {
            _ = try KafkaProducer(brokers: "127.0.0.1:1", settings: settings)
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("no.such.property") && !error.description.contains("hunter2"))
        }
    }
}
