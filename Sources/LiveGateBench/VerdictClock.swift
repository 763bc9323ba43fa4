import Foundation
import Histogram
import Kafka
import LiveGateCore
import LiveGateStore
import Synchronization

/// Reads transaction verdicts on its own thread and records, for each attempt's first verdict, the time from
/// its publication (the verdict's `decided_at` is the input's record timestamp) to its arrival here.
final class VerdictClock: @unchecked Sendable {  // state is touched by its reader thread, read after `wait`
    private let consumer: KafkaConsumer
    private let expected: Int
    private var seen = Set<String>()
    private var attemptsAnswered = 0
    private var verdictRecords = 0
    private let recordCount = Atomic<Int>(0)
    private(set) var histogram = Histogram<UInt64>(
        highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .three)
    private(set) var lastArrival = Date()
    private let done = DispatchSemaphore(value: 0)
    private let answeredCount = Atomic<Int>(0)
    private let warmupsAnswered = Atomic<Int>(0)
    private var gaps = OffsetGaps()
    /// Each attempt's first verdict, stage by stage (the worker stamps them). Read after `wait`.
    private(set) var stages = StageLatency()
    /// Each attempt's first verdict by status (200, 400, 403): what the run measured. Read after `wait`.
    private(set) var statuses: [Int: Int] = [:]
    private let skippedCount = Atomic<Int>(0)
    /// Event ids of warm-up attempts, answered before the clock starts and left out of every figure.
    static let warmupPrefix = "warmup-"

    /// Waits up to `seconds` for more than `done` warm-up verdicts; false if none more came.
    func awaitWarmups(beyond done: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while warmupsDone <= done {
            guard Date() < deadline else { return false }
            usleep(5_000)
        }
        return true
    }

    /// `expected`: distinct event ids to wait for, warm-up attempts included.
    init(brokers: String, expected: Int) throws {
        consumer = try KafkaConsumer(
            brokers: brokers, group: "bench-\(UUID().uuidString)",
            topics: [Topics.transactionVerdict],
            settings: KafkaSettings([("fetch.wait.max.ms", "2")]))
        self.expected = expected
        // Room for every id at once: growing a set of hundreds of thousands of ids rehashes all of them, a pause
        // of the reader that would show as latency of the verdicts it was about to read.
        seen.reserveCapacity(expected)
        let thread = Thread { [self] in self.loop() }
        thread.start()
    }

    private func loop() {
        while seen.count < expected {
            guard let records = try? consumer.poll(maxRecords: 5000, maxWaitMillis: 100) else { continue }
            let nowMicros = WallClock.nowMicros()
            let now = nowMicros / 1000
            for record in records {
                noteOffset(record)
                guard let value = record.value, let (id, decided) = Self.scan(value) else { continue }
                if !id.hasPrefix(Self.warmupPrefix) { verdictRecords += 1 }
                guard seen.insert(id).inserted else { continue }
                if id.hasPrefix(Self.warmupPrefix) {
                    warmupsAnswered.add(1, ordering: .relaxed)
                    continue
                }
                attemptsAnswered += 1
                histogram.record(UInt64(max(0, now - decided)))
                if let stamps = record.header(StageStamps.header).flatMap(StageStamps.init) {
                    stages.record(publishedMillis: decided, stamps, readMicros: nowMicros)
                }
                statuses[Self.status(value), default: 0] += 1
            }
            if !records.isEmpty {
                lastArrival = Date()
                answeredCount.store(attemptsAnswered, ordering: .releasing)
                recordCount.store(verdictRecords, ordering: .releasing)
            }
        }
        done.signal()
    }

    private func noteOffset(_ record: ConsumedRecord) {
        let skipped = gaps.note(partition: record.partition, offset: record.offset)
        if skipped > 0 { skippedCount.add(skipped, ordering: .relaxed) }
    }

    /// Verdict records the embedded broker dropped before this reader read them (gaps in the offsets it saw).
    /// A stall with some is the bench's broker losing answers, not the pipeline. Safe to read from any thread.
    var droppedUnread: Int { skippedCount.load(ordering: .relaxed) }

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

    /// Warm-up attempts answered so far; safe to read from any thread.
    var warmupsDone: Int { warmupsAnswered.load(ordering: .relaxed) }

    /// Verdict records read so far, warm-ups left out, a repeat's second verdict included: one for each attempt
    /// published (a rebalance may add a copy). Safe to read from any thread.
    var records: Int { recordCount.load(ordering: .acquiring) }

    /// Distinct attempts answered so far, warm-ups left out; safe to read from any thread.
    var answered: Int { answeredCount.load(ordering: .acquiring) }

    /// `event_id` and `decided_at` (epoch ms) of a verdict, read from its fixed layout in the bytes without a
    /// parse or a copy of the whole value: the measuring process shares the cores with the worker, and a clock
    /// that falls behind holds back the closed loop (its in-flight bound) and adds to every latency.
    static func scan(_ value: [UInt8]) -> (String, Int64)? {
        guard value.starts(with: head), let idEnd = value[head.count...].firstIndex(of: UInt8(ascii: "\"")),
            let keyStart = lastIndex(of: decidedKey, in: value)
        else { return nil }
        let timeStart = keyStart + decidedKey.count
        guard timeStart + 24 <= value.count,
            let instant = RFC3339.parse(String(decoding: value[timeStart..<timeStart + 24], as: UTF8.self))
        else { return nil }
        return (String(decoding: value[head.count..<idEnd], as: UTF8.self), instant.millis)
    }

    /// The verdict's `status` (three digits after `"status":`, near the start), 0 when not found.
    static func status(_ value: [UInt8]) -> Int {
        guard let start = firstEnd(of: statusKey, in: value.prefix(400)), start + 3 <= value.count else { return 0 }
        return Int(String(decoding: value[start..<start + 3], as: UTF8.self)) ?? 0
    }

    private static let head = Array("{\"event_id\":\"".utf8)
    private static let statusKey = Array("\"status\":".utf8)

    private static func firstEnd(of pattern: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for start in bytes.startIndex...(bytes.endIndex - pattern.count)
        where bytes[start] == pattern[0] && bytes[start..<start + pattern.count].elementsEqual(pattern) {
            return start + pattern.count
        }
        return nil
    }
    private static let decidedKey = Array("\"decided_at\":\"".utf8)

    private static func lastIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var start = bytes.count - pattern.count
        while start >= 0 {
            if bytes[start] == pattern[0], bytes[start..<start + pattern.count].elementsEqual(pattern) { return start }
            start -= 1
        }
        return nil
    }
}

/// Offsets skipped on each partition of a topic read from its start. The verdict topic is fresh and written
/// without transactions, so its offsets are contiguous: a gap means the embedded broker dropped records (its
/// retention is about 5 MB a partition) before the reader got to them.
struct OffsetGaps {
    private var next: [Int32: Int64] = [:]

    /// How many offsets before `offset` were never seen; a record seen again (after a rebalance) skips none.
    mutating func note(partition: Int32, offset: Int64) -> Int {
        let expected = next[partition] ?? 0
        next[partition] = max(expected, offset + 1)
        return offset > expected ? Int(offset - expected) : 0
    }
}
