import Kafka
import Logging

extension WorkerLoop {
    /// Says loudly when the broker no longer had this group's position in a partition. Behind the partition's
    /// start, records were deleted by retention before any worker read them: they have no verdict and never
    /// will, and the range is logged so ops can find them upstream. Past its end, the topic was recreated or
    /// offsets were moved by hand. Either way the consumer goes on from the earliest offset the broker keeps.
    func reportOffsetResets(_ consumer: KafkaConsumer) {
        for reset in consumer.takeOffsetResets() {
            var metadata: Logger.Metadata = [
                "topic": "\(reset.partition.topic)", "partition": "\(reset.partition.partition)",
                "requested_offset": "\(reset.requestedOffset)",
            ]
            guard let marks = try? consumer.watermarks(reset.partition, timeoutMillis: 5000) else {
                logger.critical(
                    """
                    the broker no longer has this group's position; reading from the earliest offset kept \
                    (could not read the partition's offsets to name the range lost)
                    """, metadata: metadata)
                continue
            }
            metadata["earliest_offset"] = "\(marks.low)"
            metadata["end_offset"] = "\(marks.high)"
            if reset.requestedOffset < marks.low {
                metadata["first_lost_offset"] = "\(reset.requestedOffset)"
                metadata["last_lost_offset"] = "\(marks.low - 1)"
                metadata["lost_records"] = "\(marks.low - reset.requestedOffset)"
                logger.critical(
                    "inputs lost to retention: deleted before this group read them, they have no verdict",
                    metadata: metadata)
            } else {
                logger.critical(
                    """
                    this group's position is past the partition's end (topic recreated, or offsets moved by hand); \
                    reading from the earliest offset kept
                    """, metadata: metadata)
            }
        }
    }
}
