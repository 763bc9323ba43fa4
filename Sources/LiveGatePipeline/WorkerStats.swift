import Foundation
import Logging

/// Counters a worker logs periodically and on exit.
struct WorkerStats {
    private(set) var batches = 0
    private(set) var records = 0
    private(set) var deadLetters = 0
    private var lastReport = Date()

    /// Seconds between progress lines.
    static let reportIntervalSeconds = 10.0

    mutating func count(_ plan: BatchPlan) {
        batches += 1
        records += plan.records.count
        deadLetters += plan.deadLetterCount
    }

    var shouldReport: Bool { Date().timeIntervalSince(lastReport) >= Self.reportIntervalSeconds }

    var metadata: Logger.Metadata {
        ["batches": "\(batches)", "records": "\(records)", "dead_letters": "\(deadLetters)"]
    }

    mutating func reported() { lastReport = Date() }
}
