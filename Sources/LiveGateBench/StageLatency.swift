import Histogram
import LiveGateCore

/// Where the latency of the verdicts went, stage by stage (issue 23: find the tail before tuning it), from the
/// `StageStamps` the bench's worker puts on each verdict: from the attempt's publication to the poll that
/// returned it (the broker, and the wait while the lane was busy with the batch before), then through the
/// batch's transaction (decode, locks and snapshot read; decisions and writes; the commit, which waits for the
/// WAL flush), to the hand-over to the producer, and to the bench reading it (acknowledgements, the broker, the
/// bench's own poll). Microseconds.
struct StageLatency {
    enum Stage: String, CaseIterable {
        case polled = "publish → polled by the worker"
        case read = "polled → read under the locks"
        case written = "read → decided and written"
        case committed = "written → committed (WAL flush)"
        case handed = "committed → handed to the producer"
        case delivered = "handed → read here (acks, broker)"
    }

    private(set) var histograms: [Stage: Histogram<UInt64>] = Dictionary(
        uniqueKeysWithValues: Stage.allCases.map {
            ($0, Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three))
        })
    private(set) var count = 0

    /// One verdict: published at `publishedMillis`, stamped with `stamps`, read at `readMicros`.
    mutating func record(publishedMillis: Int64, _ stamps: StageStamps, readMicros: Int64) {
        let times = [publishedMillis * 1000] + stamps.all + [readMicros]
        for (stage, i) in zip(Stage.allCases, 0...) {
            histograms[stage]?.record(UInt64(max(0, times[i + 1] - times[i])))
        }
        count += 1
    }

    func p99Ms(_ stage: Stage) -> Double { Double(histograms[stage]!.valueAtPercentile(99)) / 1000 }

    /// p50 and p99 of each stage, in milliseconds.
    var percentilesMs: [(stage: Stage, p50: Double, p99: Double)] {
        Stage.allCases.map { stage in
            let h = histograms[stage]!
            return (stage, Double(h.valueAtPercentile(50)) / 1000, Double(h.valueAtPercentile(99)) / 1000)
        }
    }

    /// `{"polled": {"p50": …, "p99": …}, …}`, by the stage's short name.
    var json: JSONValue {
        .object(
            [("verdicts", .number(String(count)))]
                + percentilesMs.map { row in
                    (
                        "\(row.stage)",
                        .object([
                            ("p50", .number(String(format: "%.1f", row.p50))),
                            ("p99", .number(String(format: "%.1f", row.p99))),
                        ])
                    )
                })
    }

    /// The table's lines; empty when no verdict carried stamps.
    func lines(_ title: String) -> [String] {
        guard count > 0 else { return [] }
        return ["  \(title), by stage (\(count) verdicts)          p50 ms    p99 ms"]
            + percentilesMs.map { row in
                "  " + row.stage.rawValue.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%-10.1f%.1f", row.p50, row.p99)
            }
    }
}
