import Foundation
import LiveGateCore

extension Bench.Report {
    /// The one-call path beside the pipeline's own latency for the same attempts.
    var callTable: String {
        guard callRate > 0 else { return "  one call over HTTP: not run (--closed-loop-only)" }
        func lat(_ l: [String: Double]) -> String {
            ["p50", "p99", "p999", "max"].map { key in
                "\(key == "p999" ? "p99.9" : key) \(String(format: "%.1f", l[key] ?? 0)) ms"
            }.joined(separator: ", ")
        }
        let answers = callStatuses.sorted { $0.key < $1.key }
            .map { "\($0.key == 0 ? "no answer" : String($0.key)): \($0.value)" }.joined(separator: ", ")
        return """
              one call (livegate serve)     calls/s      latency
              POST at \(String(callRate).padding(toLength: 7, withPad: " ", startingAt: 0))               \(String(format: "%.0f", callsPerSecond).padding(toLength: 12, withPad: " ", startingAt: 0)) \(lat(callLatencyMs))  (due → verdict in hand)
              the same attempts, pipeline                \(lat(callPipelineLatencyMs))  (publish → verdict on the topic)
              the HTTP hop                               \(String(format: "+%.1f ms at p50, call p99 ÷ pipeline p99 %.2f", callHopP50Ms ?? 0, callOverPipelineP99 ?? 0))
              answers                                    \(answers)
              serve                                      \(serveCPUMicrosPerCall.map { String(format: "%.0f µs CPU a call", $0) } ?? "CPU n/a"), peak RSS \(String(format: "%.1f", servePeakRSSMB)) MiB
            """
    }

    /// The one-call phase for `json`; null when it was not run.
    var callJSON: JSONValue {
        guard callRate > 0 else { return .null }
        func n(_ x: Double) -> JSONValue { .number(String(format: "%.3f", x)) }
        func lat(_ l: [String: Double]) -> JSONValue {
            .object(["p50", "p99", "p999", "max"].map { ($0, n(l[$0] ?? 0)) })
        }
        let statuses = callStatuses.sorted { $0.key < $1.key }.map {
            (String($0.key), JSONValue.number(String($0.value)))
        }
        return .object([
            ("rate_per_s", .number(String(callRate))), ("calls_per_s", n(callsPerSecond)),
            ("latency_ms", lat(callLatencyMs)), ("pipeline_latency_ms", lat(callPipelineLatencyMs)),
            ("statuses", .object(statuses)),
            ("serve_cpu_us_per_call", serveCPUMicrosPerCall.map(n) ?? .null), ("serve_rss_mb_max", n(servePeakRSSMB)),
        ])
    }
}
