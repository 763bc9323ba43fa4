import ArgumentParser
import Foundation
import LiveGateCore

/// The review promise, shared by `livegate queue` and `livegate serve` so that both date a declaration alike.
struct ReviewQueueOptions: ParsableArguments {
    static let slaDaysSetting = IntegerSetting(
        option: "--review-sla-days", variable: "LIVEGATE_REVIEW_SLA_DAYS", range: ReviewQueue.slaDaysRange,
        fallback: ReviewQueue.defaultSLADays)

    /// Default 3: the seed promises a decision within 1–3 business days.
    @Option(
        name: .customLong("review-sla-days"),
        help: ArgumentHelp(
            "Business days (Monday to Friday, UTC, less holidays) from a declaration to its due_at: "
                + Self.slaDaysSetting.help, valueName: "days"))
    var reviewSLADays: Int?

    /// Default none: every weekday is a business day.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "File of holidays, one YYYY-MM-DD a line, # comments allowed; they are not business days "
                + "(env: LIVEGATE_HOLIDAYS; default none).", valueName: "path"))
    var holidays: String?

    func validate() throws {
        try Self.slaDaysSetting.check(reviewSLADays)
    }

    /// The settings in force; a holidays file that cannot be read or has a bad line is refused (exit 64) with
    /// the line's number.
    func settings(max: Int = ReviewQueue.defaultMax) throws -> ReviewQueue.Settings {
        let days = try Self.slaDaysSetting.value(reviewSLADays)
        guard let path = holidays ?? Env.get("LIVEGATE_HOLIDAYS") else {
            return ReviewQueue.Settings(slaDays: days, max: max)
        }
        return ReviewQueue.Settings(slaDays: days, calendar: try Self.calendar(path), max: max)
    }

    static func calendar(_ path: String) throws -> BusinessCalendar {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.intValue
        else { throw CommandFailure.usage("cannot read the holidays file \(path)") }
        guard size <= HolidaysFile.maxBytes else {
            throw CommandFailure.usage("the holidays file \(path) is larger than \(HolidaysFile.maxBytes) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw CommandFailure.usage("cannot read the holidays file \(path) as UTF-8 text") }
        do { return try HolidaysFile.parse(text) } catch {
            throw CommandFailure.usage("\(path): \(error.description)")
        }
    }
}
