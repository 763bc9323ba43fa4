import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import Logging
import Synchronization

/// Reads every partition of the transaction-verdict and dead-letter topics from where they ended when the
/// feed started, outside any consumer group, and hands each verdict to the requests waiting for its tenant
/// and `event_id` (and each dead letter of a posted input to the request that posted it). One per
/// `serve` instance: every instance sees every verdict, so any number can run side by side.
public final class VerdictFeed: Sendable {
    private let waiters: VerdictWaiters
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let failing = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Positions the feed at each partition's end before returning (a request published after this returns
    /// finds its verdict), then reads on a thread of its own.
    public init(brokers: String, settings: KafkaSettings, waiters: VerdictWaiters, logger: Logger) throws {
        self.waiters = waiters
        self.logger = logger
        let ends = try OutputWatcher.positions(
            brokers: brokers, topics: [Topics.transactionVerdict, Topics.deadLetter],
            settings: settings,
            from: .end)
        let reader = Reader(try KafkaConsumer(brokers: brokers, reading: ends, settings: settings), from: ends)
        Thread { [self] in
            defer { finished.signal() }
            run(reader, replacing: { try KafkaConsumer(brokers: brokers, reading: $0, settings: settings) })
        }.start()
    }

    /// The consumer and where it is, owned by the one thread that reads.
    private final class Reader: @unchecked Sendable {
        var consumer: KafkaConsumer?
        /// The next offset to read of every partition, for a replacement consumer to start from.
        var next: [TopicPartition: Int64]
        /// An error the consumer reported that means it cannot read (not a passing one: `KafkaError.isPassing`).
        var readError: KafkaError?
        init(_ consumer: KafkaConsumer, from start: [TopicPartition: Int64]) {
            next = start
            use(consumer)
        }

        /// Reads with `consumer` from now on, noting the errors that mean it cannot read.
        func use(_ consumer: KafkaConsumer) {
            consumer.onError = { [unowned self] in if !$0.isPassing { self.readError = $0 } }
            self.consumer = consumer
        }
    }

    /// False from a failed read until a read succeeds again (with a replacement consumer, started where the
    /// failed one was). Meanwhile calls still publish but wait out their `wait_ms` (202), and `/readyz` says
    /// so. A broker outage is not such a failure: librdkafka reconnects by itself, and the calls' publishes
    /// answer 503 while it lasts.
    public var isHealthy: Bool { !failing.load(ordering: .relaxed) }

    private func run(_ reader: Reader, replacing: ([TopicPartition: Int64]) throws -> KafkaConsumer) {
        defer { reader.consumer?.close(timeoutMillis: 2000) }
        while !stopped.load(ordering: .relaxed) {
            do {
                if reader.consumer == nil { reader.use(try replacing(reader.next)) }
                for record in try reader.consumer!.poll(maxRecords: 1000, maxWaitMillis: 100) {
                    reader.next[TopicPartition(topic: record.topic, partition: record.partition)] = record.offset + 1
                    guard let value = record.value else { continue }
                    if record.topic == Topics.deadLetter {
                        refuse(deadLetter: value)
                    } else if let key = record.key, let id = TransactionVerdict.eventId(in: value) {
                        // The record key is the tenant id, on every topic.
                        let answering = record.header(Topics.inputSHA256Header).map {
                            String(decoding: $0, as: UTF8.self)
                        }
                        waiters.deliver(
                            tenantId: String(decoding: key, as: UTF8.self), eventId: id, verdict: value,
                            answering: answering)
                    }
                }
                if let error = reader.readError {  // what was read is handed over; then the consumer is replaced
                    reader.readError = nil
                    throw error
                }
                if failing.exchange(false, ordering: .relaxed) { logger.notice("the verdict feed reads again") }
            } catch {
                // The pod stays up for the status endpoint; a consumer that failed is replaced, from where it was.
                if !failing.exchange(true, ordering: .relaxed) {
                    logger.error(
                        "the verdict feed cannot read; calls will wait out wait_ms (202) until it can",
                        metadata: ["error": "\(error)"])
                }
                reader.consumer?.close(timeoutMillis: 2000)
                reader.consumer = nil
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// A dead letter of a posted input ends its request's wait with the reason (they are few: parsed in full).
    private func refuse(deadLetter value: [UInt8]) {
        guard let letter = try? JSONParser.parse(value),
            letter["source"]?["topic"]?.stringValue == Topics.transactionAttempt,
            let tenant = letter["tenant_id"]?.stringValue, let id = letter["event_id"]?.stringValue,
            let digest = letter["value_sha256"]?.stringValue, let error = letter["error"]?.stringValue
        else { return }
        waiters.refuse(
            tenantId: tenant, eventId: id, valueSHA256: digest, error: error,
            message: letter["message"]?.stringValue ?? error)
    }

    /// Stops reading and waits (at most 5 s) for the reader's thread.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        _ = finished.wait(timeout: .now() + 5)
    }
}
