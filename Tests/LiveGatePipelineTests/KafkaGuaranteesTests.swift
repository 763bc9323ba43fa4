import Foundation
import Kafka
import LiveGateLocal
import LiveGatePipeline
import Testing

@Suite("Guarantees that configuration cannot switch off")
struct KafkaGuaranteesTests {
    @Test("each property that would remove a guarantee is refused, saying which; harmless ones pass")
    func refused() throws {
        for pair in [
            "enable.auto.commit=true", "enable.auto.offset.store=true", "auto.offset.reset=latest",
            "enable.idempotence=false", "acks=1", "request.required.acks=0", "isolation.level=read_uncommitted",
            "max.in.flight.requests.per.connection=6", "max.in.flight=100", "max.poll.interval.ms=4999",
            "max.poll.interval.ms=soon",
        ] {
            let problems = KafkaGuarantees.violations(try KafkaSettings.parse([pair]))
            #expect(problems.count == 1, "\(pair) was not refused")
        }
        for pair in [
            "acks=all", "acks=-1", "max.in.flight=5", "security.protocol=SASL_SSL", "session.timeout.ms=10000",
            "max.poll.interval.ms=5000", "max.poll.interval.ms=300000",
        ] {
            #expect(KafkaGuarantees.violations(try KafkaSettings.parse([pair])).isEmpty, "\(pair) was refused")
        }
    }

    @Test("livegate run refuses them before it starts, with the reason, exit status 64")
    func cliRefuses() throws {
        let livegate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("livegate").path
        let outcome = try Subprocess.run(
            livegate,
            [
                "run", "--brokers", "127.0.0.1:1", "--database-url", "postgresql://x@127.0.0.1:1/x",
                "--kafka-config", "enable.auto.commit=true",
            ] + WorkerProcess.allowances,
            timeoutSeconds: 30)
        #expect(outcome.status == 64)
        #expect(outcome.output.contains("enable.auto.commit is LiveGate's"), "\(outcome.output)")
    }
}
