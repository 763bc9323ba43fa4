import Foundation
import Histogram
import Kafka
import LiveGateCore
import Synchronization

/// Reads transaction verdicts on its own thread and records, for each attempt's first verdict, the time from
/// its publication (the verdict's `decided_at` is the input's record timestamp) to its arrival here.
final class VerdictClock: @unchecked Sendable {  // state is touched by its reader thread, read after `wait`
    private let consumer: KafkaConsumer
    private let expected: Int
    private var seen = Set<Substring>()
    private(set) var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .three)
    private(set) var lastArrival = Date()
    private let done = DispatchSemaphore(value: 0)
    private let answeredCount = Atomic<Int>(0)
    private let warmedUp = DispatchSemaphore(value: 0)
    /// Event ids of warm-up attempts, answered before the clock starts and left out of every figure.
    static let warmupPrefix = "warmup-"

    /// Waits for the verdicts of `count` warm-up attempts: the worker has joined its group and is answering.
    func awaitWarmups(_ count: Int, seconds: Double) -> Bool {
        let deadline = DispatchTime.now() + seconds
        return (0..<count).allSatisfy { _ in warmedUp.wait(timeout: deadline) == .success }
    }

    /// `expected`: distinct event ids to wait for, warm-up attempts included.
    init(brokers: String, expected: Int) throws {
        consumer = try KafkaConsumer(brokers: brokers, group: "bench-\(UUID().uuidString)",
                                     topics: [Topics.transactionVerdict],
                                     settings: KafkaSettings([("session.timeout.ms", "4000"), ("fetch.wait.max.ms", "2")]))
        self.expected = expected
        let thread = Thread { [self] in self.loop() }
        thread.start()
    }

    private func loop() {
        while seen.count < expected {
            guard let records = try? consumer.poll(maxRecords: 5000, maxWaitMillis: 100) else { continue }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for record in records {
                guard let value = record.value, let (id, decided) = Self.scan(value), seen.insert(id).inserted else { continue }
                if id.hasPrefix(Self.warmupPrefix) { warmedUp.signal(); continue }
                histogram.record(UInt64(max(0, now - decided)))
            }
            if !records.isEmpty {
                lastArrival = Date()
                answeredCount.store(seen.count, ordering: .releasing)
            }
        }
        done.signal()
    }

    /// Waits until every expected attempt was answered; false once `stallSeconds` pass without a new answer.
    func waitWhileAnswering(stallSeconds: Double) -> Bool {
        var answered = self.answered
        var since = Date()
        while done.wait(timeout: .now() + 1) != .success {
            if self.answered != answered { (answered, since) = (self.answered, Date()) }
            if Date().timeIntervalSince(since) >= stallSeconds { return false }
        }
        return true
    }

    /// Distinct attempts answered so far (warm-up included); safe to read from any thread.
    var answered: Int { answeredCount.load(ordering: .acquiring) }

    /// `event_id` and `decided_at` (epoch ms) of a verdict, read from its fixed layout without a full parse,
    /// so the measuring process takes as little CPU from the worker as it can.
    static func scan(_ value: [UInt8]) -> (Substring, Int64)? {
        let text = String(decoding: value, as: UTF8.self)
        guard text.hasPrefix("{\"event_id\":\""), let idEnd = text.dropFirst(13).firstIndex(of: "\""),
              let decided = text.range(of: "\"decided_at\":\"", options: .backwards),
              let instant = RFC3339.parse(String(text[decided.upperBound...].prefix(24)))
        else { return nil }
        return (text.dropFirst(13)[..<idEnd], instant.millis)
    }
}
