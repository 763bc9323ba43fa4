import Foundation
import Kafka
import LiveGatePipeline
import Logging
import Synchronization

/// Publishes posted inputs through one idempotent producer on a thread of its own, so no request blocks the
/// server's threads. Requests that arrive while a send is in flight go out together in the next one (at most
/// `maxBatch`); each learns whether its record was acknowledged. At most `queueLimit` wait to be sent.
public final class Publisher: Sendable {
    public typealias Completion = @Sendable (Result<Void, PublishFailure>) -> Void
    private typealias Pending = (record: ProducerRecord, done: Completion)
    private let state = Mutex<(queue: [Pending], stopped: Bool)>(([], false))
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let queueLimit: Int
    static let maxBatch = 500

    public init(brokers: String, settings: KafkaSettings, queueLimit: Int, logger: Logger) throws {
        self.queueLimit = max(1, queueLimit)
        let make: @Sendable () throws(KafkaError) -> KafkaProducer = { () throws(KafkaError) -> KafkaProducer in
            try KafkaProducer(brokers: brokers, settings: WorkerConfiguration.producerDefaults.merging(settings))
        }
        let lane = Lane(try make())
        Thread { [self] in
            defer { finished.signal() }
            run(lane, make: make, logger: logger)
        }.start()
    }

    /// A producer handed to the one thread that uses it.
    private final class Lane: @unchecked Sendable {
        var producer: KafkaProducer
        init(_ producer: KafkaProducer) { self.producer = producer }
    }

    /// Queues `record`; `done` is called once the brokers acknowledged it or it failed, or at once when the
    /// queue is full or the publisher stopping. It may be called on the publisher's thread: keep it short.
    public func publish(_ record: ProducerRecord, done: @escaping Completion) {
        let refusal = state.withLock { state -> PublishFailure? in
            if state.stopped { return .stopped }
            guard state.queue.count < queueLimit else { return .overloaded }
            state.queue.append((record, done))
            return nil
        }
        if let refusal { done(.failure(refusal)) } else { wake.signal() }
    }

    private func run(_ lane: Lane, make: @Sendable () throws(KafkaError) -> KafkaProducer, logger: Logger) {
        while true {
            wake.wait()
            let (batch, stopped) = state.withLock { state -> ([Pending], Bool) in
                let batch = Array(state.queue.prefix(Self.maxBatch))
                state.queue.removeFirst(batch.count)
                return (batch, state.stopped)
            }
            if batch.isEmpty, stopped { return }
            guard !batch.isEmpty else { continue }
            var result: Result<Void, PublishFailure> = .success(())
            do {
                try lane.producer.send(batch.map(\.record))
            } catch {
                logger.warning("publishing posted inputs failed", metadata: ["error": "\(error)"])
                result = .failure(.kafka("\(error)"))
                // An idempotent producer that lost its guarantees is replaced, not retried.
                if error.isFatal, let fresh = try? make() { lane.producer = fresh }
            }
            for pending in batch { pending.done(result) }
            // More may have queued while this batch was sent: go round until empty, then end if stopping.
            let (more, stopping) = state.withLock { (!$0.queue.isEmpty, $0.stopped) }
            if more { wake.signal() } else if stopping { return }
        }
    }

    /// Refuses new records, sends what is queued, and waits (at most 40 s: a send ends by message.timeout.ms).
    public func stop() {
        state.withLock { $0.stopped = true }
        wake.signal()
        _ = finished.wait(timeout: .now() + 40)
    }
}
