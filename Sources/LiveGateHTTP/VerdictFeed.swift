import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import Logging
import Synchronization

/// Reads every partition of the transaction-verdict and dead-letter topics from where they ended when the
/// feed started, outside any consumer group, and hands each verdict to the requests waiting for its
/// `event_id` (and each dead letter of a posted input to the request that posted it). One per
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
        let ends = try OutputWatcher.positions(brokers: brokers, topics: [Topics.transactionVerdict, Topics.deadLetter],
                                               settings: settings,
                                               from: .end)
        let consumer = Reader(try KafkaConsumer(brokers: brokers, reading: ends, settings: settings))
        Thread { [self] in
            defer { finished.signal() }
            run(consumer.consumer)
        }.start()
    }

    /// A consumer handed to the one thread that reads it.
    private final class Reader: @unchecked Sendable {
        let consumer: KafkaConsumer
        init(_ consumer: KafkaConsumer) { self.consumer = consumer }
    }

    /// Whether the last read succeeded. While it does not, calls still publish but wait out their `wait_ms`
    /// (202), and `/readyz` says so.
    public var isHealthy: Bool { !failing.load(ordering: .relaxed) }

    private func run(_ consumer: KafkaConsumer) {
        defer { consumer.close(timeoutMillis: 2000) }
        while !stopped.load(ordering: .relaxed) {
            do {
                for record in try consumer.poll(maxRecords: 1000, maxWaitMillis: 100) {
                    guard let value = record.value else { continue }
                    if record.topic == Topics.deadLetter {
                        refuse(deadLetter: value)
                    } else if let id = TransactionVerdict.eventId(in: value) {
                        waiters.deliver(eventId: id, verdict: value)
                    }
                }
                if failing.exchange(false, ordering: .relaxed) { logger.notice("the verdict feed reads again") }
            } catch {
                // Keep trying: the pod stays up for the status endpoint, and /readyz reports the feed.
                if !failing.exchange(true, ordering: .relaxed) {
                    logger.error("the verdict feed cannot read; calls will wait out wait_ms (202) until it can",
                                 metadata: ["error": "\(error)"])
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// A dead letter of a posted input ends its request's wait with the reason (they are few: parsed in full).
    private func refuse(deadLetter value: [UInt8]) {
        guard let letter = try? JSONParser.parse(value), letter["source"]?["topic"]?.stringValue == Topics.transactionAttempt,
              let id = letter["event_id"]?.stringValue, let digest = letter["value_sha256"]?.stringValue,
              let error = letter["error"]?.stringValue else { return }
        waiters.refuse(eventId: id, valueSHA256: digest, error: error, message: letter["message"]?.stringValue ?? error)
    }

    /// Stops reading and waits (at most 5 s) for the reader's thread.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        _ = finished.wait(timeout: .now() + 5)
    }
}
