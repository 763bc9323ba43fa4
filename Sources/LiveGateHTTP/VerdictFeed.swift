import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import Logging
import Synchronization

/// Reads every partition of the transaction-verdict topic from where it ended when the feed started,
/// outside any consumer group, and hands each verdict to the requests waiting for its `event_id`. One per
/// `serve` instance: every instance sees every verdict, so any number can run side by side.
public final class VerdictFeed: Sendable {
    private let waiters: VerdictWaiters
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Positions the feed at each partition's end before returning (a request published after this returns
    /// finds its verdict), then reads on a thread of its own.
    public init(brokers: String, settings: KafkaSettings, waiters: VerdictWaiters, logger: Logger) throws {
        self.waiters = waiters
        self.logger = logger
        let ends = try OutputWatcher.positions(brokers: brokers, topics: [Topics.transactionVerdict], settings: settings,
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

    private func run(_ consumer: KafkaConsumer) {
        defer { consumer.close(timeoutMillis: 2000) }
        while !stopped.load(ordering: .relaxed) {
            do {
                for record in try consumer.poll(maxRecords: 1000, maxWaitMillis: 100) {
                    guard let value = record.value,
                          let id = (try? JSONParser.parse(value))?["event_id"]?.stringValue else { continue }
                    waiters.deliver(eventId: id, verdict: value)
                }
            } catch {
                logger.error("the verdict feed failed; waiting requests will time out (202)", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// Stops reading and waits (at most 5 s) for the reader's thread.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        _ = finished.wait(timeout: .now() + 5)
    }
}
