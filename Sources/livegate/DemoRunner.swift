import Foundation
import Kafka
import LiveGateCore
import LiveGatePipeline
import LiveGateStore

/// Publishes the demo story through the real topics and prints what LiveGate answered, as it happens.
struct DemoRunner {
    let brokers: String
    /// Signs the story's decisions, when the worker requires signatures.
    var admin: DecisionSigningKey? = nil
    /// Signs the story's failed resolution, when the worker requires signatures.
    var settlement: DecisionSigningKey? = nil
    /// Where the worker keeps its state: the review queue is read from there (`livegate queue`).
    var databaseURL: String? = nil

    func run(tenant: String) throws {
        let producer = try KafkaProducer(brokers: brokers)
        let watcher = try OutputWatcher(brokers: brokers, settings: KafkaSettings([("session.timeout.ms", "4000")]))
        var shown = 0
        print("\nDemo tenant \(tenant): every verdict and notification below came back through Kafka.\n")
        let story = DemoStory(tenant: tenant, admin: admin, settlement: settlement)
        for step in try story.steps() {
            print("▸ \(step.caption)")
            if let proposal = step.simulates, let databaseURL { try printSimulation(databaseURL, tenant, proposal) }
            var events = step.events
            if let retry = step.retry {
                guard let amount = Self.maxAmountNow(of: retry.of, in: watcher.records) else {
                    print("  (the verdict of \(retry.of) has no max_amount_now to retry with)")
                    return
                }
                print("  max_amount_now \(amount): the agent asks for $\(amount) instead")
                events.append((retry.eventId, .transactionAttempted, story.attempt(retry.eventId, amount)))
            }
            if events.isEmpty {
                print("")
                continue
            }
            try producer.send(
                events.map {
                    ProducerRecord(topic: $0.type.topic, key: Array(tenant.utf8), value: JSONWriter.bytes($0.json))
                })
            guard try watcher.awaitAnswers(events.map(\.id), timeoutSeconds: 60) else {
                print("  (no answer within 60 s: is the worker running?)")
                return
            }
            _ = try watcher.read(timeoutSeconds: 1) { _ in false }  // let the step's notifications arrive
            // Topics are read in no particular order: show verdicts first, then what followed from them.
            let order = [Topics.accessVerdict, Topics.transactionVerdict, Topics.notification, Topics.tenantStatus]
            let fresh = watcher.records[shown...].sorted {
                (order.firstIndex(of: $0.topic) ?? 9, $0.offset) < (order.firstIndex(of: $1.topic) ?? 9, $1.offset)
            }
            for record in fresh { if let line = Self.line(record) { print(line) } }
            shown = watcher.records.count
            if step.showsQueue, let databaseURL { try printQueue(databaseURL) }
            print("")
        }
    }

    /// The review queue as `livegate queue` prints it, indented under the step.
    func printQueue(_ url: String) throws {
        let page = try PendingDeclarations.load(limit: ReviewQueue.defaultMax, on: try LedgerStore.connect(url))
        let queue = ReviewQueue(page.oldest, settings: ReviewQueue.Settings(), now: WallClock.now())
        print("  the review queue (livegate queue), where the admin finds it:")
        for line in QueueCommand.table(queue, total: page.total).split(separator: "\n") { print("    \(line)") }
    }

    /// What `livegate simulate` prints for the proposal, indented under the step: read-only, from the store.
    func printSimulation(_ url: String, _ tenant: String, _ proposal: CeilingProposal) throws {
        guard case let .history(history) = try SimulationHistory.load(tenant, on: try LedgerStore.connect(url)) else {
            print("  (\(tenant) has no history to simulate)")
            return
        }
        let report = CeilingSimulation.run(history, proposal: proposal, rules: .standard)
        let options = [("--per-tx", proposal.perTx), ("--daily", proposal.daily), ("--monthly", proposal.monthly)]
            .compactMap { name, change -> String? in
                switch change {
                case .keep: return nil
                case .platformDefault: return "\(name) default"
                case let .set(limit): return "\(name) \(limit)"
                }
            }
        print("  livegate simulate \(tenant) \(options.joined(separator: " ")):")
        for line in Simulate.lines(report) { print("    \(line)") }
    }

    /// The `max_amount_now` of the attempt verdict for `eventId`, when there is one.
    static func maxAmountNow(of eventId: String, in records: [ConsumedRecord]) -> String? {
        for record in records where record.topic == Topics.transactionVerdict {
            guard let json = record.value.flatMap({ try? JSONParser.parse($0) }),
                json["event_id"] == .string(eventId)
            else { continue }
            return json["max_amount_now"]?.stringValue
        }
        return nil
    }

    /// One readable line per output record.
    static func line(_ record: ConsumedRecord) -> String? {
        guard let json = record.value.flatMap({ try? JSONParser.parse($0) }) else { return nil }
        func s(_ key: String) -> String { json[key]?.stringValue ?? "" }
        func n(_ key: String) -> String { if case let .number(v)? = json[key] { return v } else { return "" } }
        func col(_ text: String, _ width: Int) -> String {
            text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0)
        }
        switch record.topic {
        case Topics.transactionVerdict where json["subject"] == .string("resolution"):
            return "  resolution \(col(s("resolution"), 7)) \(col(s("outcome"), 8)) \(n("status"))  "
                + (json["released"] == .null ? s("reason") : "released $\(s("released"))")
        case Topics.transactionVerdict:
            let window =
                json["window"]?.stringValue.map { name in
                    json["used"] == .null ? "\(name) limit \(s("limit"))" : "\(name) \(s("used"))/\(s("limit"))"
                } ?? ""
            let now =
                s("outcome") != "denied" || json["max_amount_now"] == .null
                ? ""
                : "  max_amount_now \(s("max_amount_now")), "
                    + (json["retry_at"] == .null ? "waiting does not help" : "retry_at \(s("retry_at"))")
            return "  \(col(s("environment"), 4)) $\(col(s("amount"), 9)) \(col(s("outcome"), 8)) \(n("status"))  "
                + "\(col(s("reason"), 38)) " + (now.isEmpty ? window : col(window, 22) + now)
        case Topics.accessVerdict:
            let why = s("outcome") == "rejected" ? "  (\(s("reason")))" : ""
            return
                "  \(col(s("subject"), 11)) \(col(s("outcome"), 8)) \(n("status"))  \(s("previous_state")) → \(s("state"))\(why)"
        case Topics.notification:
            let window =
                json["data"]?["window"]?.stringValue.map {
                    " (\($0) \(json["data"]?["used"]?.stringValue ?? "")/"
                        + "\(json["data"]?["limit"]?.stringValue ?? ""))"
                } ?? ""
            return "    ✉ \(col(s("channel"), 6)) to \(col(s("recipient"), 18)) \(s("template"))\(window)"
        case Topics.tenantStatus:
            return
                "    ◆ status v\(n("version")): \(s("state")), live \(json["live_allowed"] == .bool(true) ? "allowed" : "not allowed")"
        case Topics.deadLetter:
            return "    ✗ dead letter: \(s("error"))"
        default:
            return nil
        }
    }
}
