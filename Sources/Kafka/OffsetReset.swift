/// A position the broker no longer had: the consumer asked for `requestedOffset` of `partition`, the broker
/// answered "offset out of range", and librdkafka moved the consumer by `auto.offset.reset` (LiveGate:
/// earliest). Behind the partition's start it means records deleted by retention before they were read.
public struct OffsetReset: Sendable, Equatable {
    public let partition: TopicPartition
    public let requestedOffset: Int64

    public init(partition: TopicPartition, requestedOffset: Int64) {
        self.partition = partition
        self.requestedOffset = requestedOffset
    }

    /// Reads librdkafka 2.0.2's OFFSET log line, which is how it reports the reset (nothing else carries the
    /// offset that was asked for): `"[thrd:main]: <topic> [<partition>]: offset reset (at offset <n>, broker
    /// <id>) to cached BEGINNING offset <m>: fetch failed due to requested offset not available on the broker:
    /// Broker: Offset out of range"`.
    static func parse(facility: String, message text: String) -> OffsetReset? {
        guard facility == "OFFSET" else { return nil }  // every log line comes here: the cheap test first
        var message = Substring(text)
        if message.hasPrefix("[thrd:"), let end = message.firstRange(of: "]: ") { message = message[end.upperBound...] }
        guard message.contains("Offset out of range"),
            let open = message.firstRange(of: " ["), let close = message.firstRange(of: "]: offset reset (at offset "),
            open.upperBound <= close.lowerBound,
            let partition = Int32(message[open.upperBound..<close.lowerBound])
        else { return nil }
        let offsetText = message[close.upperBound...].prefix { $0 != "," && $0 != " " }
        guard let offset = Int64(offsetText) else { return nil }
        return OffsetReset(
            partition: TopicPartition(topic: String(message[..<open.lowerBound]), partition: partition),
            requestedOffset: offset)
    }
}
