import Foundation
import LiveGateCore
import LiveGateTestSupport
import Testing

/// `topics/` is the contract in machine-readable form. These tests keep it and the code from drifting apart.
@Suite("topics/ definitions and examples")
struct TopicsTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("topics")

    static func load(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).json"))
        return try JSONParser.parse(Array(data), depthLimit: 256)  // examples nest deeper than events may
    }

    static func examples(_ topic: JSONValue) -> [JSONValue] {
        if case let .array(list)? = topic["examples"] { return list }
        return []
    }

    @Test("there is one file per contract topic, with settings", arguments: Topics.inputs + Topics.outputs)
    func settings(name: String) throws {
        let topic = try Self.load(name)
        #expect(topic["name"]?.stringValue == name)
        #expect(topic["direction"]?.stringValue == (Topics.inputs.contains(name) ? "in" : "out"))
        let policy = topic["config"]?["cleanup.policy"]?.stringValue
        #expect(policy == (name == Topics.tenantStatus ? "compact" : "delete"))
        #expect(topic["partitions"] != nil)
        #expect(Self.examples(topic).count >= 5)
    }

    @Test("input examples are accepted or rejected exactly as their file says", arguments: Topics.inputs)
    func inputExamples(name: String) throws {
        let topic = try Self.load(name)
        let schema = try #require(topic["schema"])
        for example in Self.examples(topic) {
            let label = example["name"]?.stringValue ?? "?"
            let expect = try #require(example["expect"])
            let value: [UInt8]
            if let text = example["value_text"]?.stringValue {
                value = Array(text.utf8)
            } else {
                value = JSONWriter.bytes(try #require(example["value"]))
            }
            let time = example["record_timestamp"]?.stringValue ?? example["value"]?["occurred_at"]?.stringValue
            let stampedBy: InputRecord.TimestampSource =
                example["timestamp_type"]?.stringValue == "CreateTime" ? .producer : .broker
            let record = InputRecord(
                topic: name, key: example["key"]?.stringValue.map { Array($0.utf8) },
                value: value,
                timestamp: time.flatMap(RFC3339.parse) ?? RFC3339.parse(Fixtures.noon)!,
                timestampSource: stampedBy)
            let rules = example["with_keys"] == .bool(true) ? try Self.keyedRules(topic) : .standard
            let actual = Self.observed(InputDecoder.decode(record, rules: rules))
            #expect(actual == Self.expected(expect), "\(name): \(label)")
            if expect["outcome"]?.stringValue == "valid", let v = example["value"] {
                #expect(SchemaSubset.violation(v, schema) == nil, "\(name): \(label)")
            }
        }
    }

    @Test("output examples match their schema exactly as their file says", arguments: Topics.outputs)
    func outputExamples(name: String) throws {
        let topic = try Self.load(name)
        let schema = try #require(topic["schema"])
        for example in Self.examples(topic) {
            let violation = SchemaSubset.violation(try #require(example["value"]), schema)
            #expect(
                (violation == nil) == (example["valid"] == .bool(true)),
                "\(name): \(example["name"]?.stringValue ?? "?"): \(violation ?? "conforms")")
        }
    }

    @Test("everything the ledger publishes for random stories conforms to its topic's schema")
    func outputsConform() throws {
        var schemas: [String: JSONValue] = [:]
        for name in Topics.outputs { schemas[name] = try #require(try Self.load(name)["schema"]) }
        var checked: [String: Int] = [:]
        for seed in 0..<40 {
            var rng = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
            let codes = (0..<120).map { _ in
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
                return UInt16(truncatingIfNeeded: rng)
            }
            var ledger = Ledger(rules: RandomStory.rules, tenants: [:], usage: [:], processed: [:])
            for step in RandomStory.steps(codes) {
                for output in ledger.apply(Fixtures.event(step.json, rules: RandomStory.rules)).outputs {
                    let value = try JSONParser.parse(output.value)
                    let violation = SchemaSubset.violation(value, try #require(schemas[output.topic]))
                    #expect(violation == nil, "\(output.topic): \(violation ?? ""): \(output.valueText)")
                    let kind = value["subject"]?.stringValue ?? value["template"]?.stringValue ?? "status"
                    checked[output.topic + " " + kind, default: 0] += 1
                }
            }
        }
        for kind in ["resolution", "attempt", "ceiling_warning", "ceiling_reached", "declaration", "decision"] {
            #expect(checked.contains { $0.key.hasSuffix(" " + kind) }, "no \(kind) output was checked")
        }
    }

    /// The rules of a worker given the file's `example_keys` (`decision_keys`, `resolution_keys`: key sets),
    /// for examples marked `"with_keys": true`.
    static func keyedRules(_ topic: JSONValue) throws -> Rules {
        func keySet(_ name: String) throws -> DecisionKeySet? {
            guard let set = topic["example_keys"]?[name] else { return nil }
            return try DecisionKeySet.parse(JSONWriter.bytes(set))
        }
        return Rules(decisionKeys: try keySet("decision_keys"), resolutionKeys: try keySet("resolution_keys"))
    }

    /// The outcome in the shape of an `expect` object.
    static func observed(_ result: InputDecoder.Result) -> JSONValue {
        let rejection: Rejection?
        switch result {
        case let .deadLetter(reason):
            return .object([("outcome", .string("dead_letter")), ("error", .string(reason.error.rawValue))])
        case let .event(event):
            switch event.body {
            case let .declaration(.rejected(r)), let .decision(.rejected(r)), let .resolution(.rejected(r)):
                rejection = r
            case .declaration(.valid), .decision(.valid): rejection = nil
            case let .resolution(.valid(resolution)): rejection = resolution.refusal
            case let .attempt(a): rejection = a.rejection
            }
        }
        guard let r = rejection else { return .object([("outcome", .string("valid"))]) }
        return .object([
            ("outcome", .string("rejected")), ("status", .number(String(r.status))),
            ("code", r.code.map(JSONValue.string) ?? .null), ("reason", .string(r.reason)),
            ("fields", .array(Set(r.errors.map(\.field)).sorted().map(JSONValue.string))),
        ])
    }

    static func expected(_ expect: JSONValue) -> JSONValue {
        switch expect["outcome"]?.stringValue {
        case "dead_letter": return .object([("outcome", .string("dead_letter")), ("error", expect["error"] ?? .null)])
        case "rejected":
            let fields = SchemaSubset.arrayStrings(expect["fields"] ?? .array([]))
            return .object([
                ("outcome", .string("rejected")), ("status", expect["status"] ?? .null),
                ("code", expect["code"] ?? .null),
                ("reason", expect["reason"] ?? .null), ("fields", .array(Set(fields).sorted().map(JSONValue.string))),
            ])
        default: return .object([("outcome", .string("valid"))])
        }
    }
}

@Suite("The compiled-in topic catalog")
struct TopicCatalogTests {
    @Test("matches topics/ exactly", arguments: TopicCatalog.all)
    func matches(definition: TopicDefinition) throws {
        let file = try TopicsTests.load(definition.name)
        #expect(file["partitions"] == .number(String(definition.partitions)))
        #expect(file["replication_factor"] == .number(String(definition.replicationFactor)))
        guard case let .object(config)? = file["config"] else { Issue.record("no config"); return }
        #expect(
            Dictionary(uniqueKeysWithValues: config.map { ($0.key, $0.value.stringValue ?? "") }) == definition.config)
    }

    @Test("covers every contract topic once")
    func complete() {
        #expect(TopicCatalog.all.map(\.name).sorted() == (Topics.inputs + Topics.outputs).sorted())
    }
}
