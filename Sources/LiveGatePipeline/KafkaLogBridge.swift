import Kafka
import Logging

/// Routes librdkafka's log lines into swift-log.
final class KafkaLogBridge: KafkaLogSink {
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func log(level: Int, _ message: String) {
        let mapped: Logger.Level
        switch level {
        case ...3: mapped = .error
        case 4: mapped = .warning
        case 5, 6: mapped = .info
        default: mapped = .debug
        }
        logger.log(level: mapped, "\(message)", metadata: ["source": "librdkafka"])
    }
}
