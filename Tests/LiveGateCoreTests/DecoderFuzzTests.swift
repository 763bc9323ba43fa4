import LiveGateCore
import LiveGateTestSupport
import PropertyBased
import Testing

@Suite("The decoder answers every input")
struct DecoderFuzzTests {
    static func classify(_ result: InputDecoder.Result) -> String {
        switch result {
        case let .deadLetter(reason): return "dead:\(reason.error.rawValue)"
        case let .event(event):
            switch event.body {
            case let .declaration(.rejected(r)), let .decision(.rejected(r)), let .resolution(.rejected(r)):
                return "rejected:\(r.status):\(r.reason)"
            case .declaration(.valid), .decision(.valid), .resolution(.valid): return "valid"
            case let .attempt(a): return a.rejection.map { "rejected:\($0.status):\($0.reason)" } ?? "valid"
            }
        }
    }

    @Test("random bytes: a dead letter or a verdict, never a crash, always the same answer")
    func randomBytes() async {
        await propertyCheck(count: 2000, input: Gen.uint8(in: 0...255).array(of: 0...300), Gen.int(in: 0...2)) {
            bytes, t in
            let record = InputRecord(
                topic: Topics.inputs[t], key: nil, value: bytes, timestamp: UTCInstant(millis: 0),
                timestampSource: .broker)
            let first = Self.classify(InputDecoder.decode(record))
            #expect(first == Self.classify(InputDecoder.decode(record)))
        }
    }

    /// Events with every field replaced by a random JSON value: validation must turn each into a 400, a
    /// 403 or a valid event (or a dead letter when an addressing field broke), and never accept a live
    /// amount that is not a canonical positive decimal string.
    @Test("random JSON in every field: classified, never crashing, amounts never misread")
    func randomJSON() async {
        let fields = [
            "event_id", "tenant_id", "type", "occurred_at", "actor", "environment", "rail", "amount",
            "currency", "agent_id", "declaration", "action", "ceiling", "review_notes",
        ]
        await propertyCheck(
            count: 2000, input: Gen.int(in: 0...(fields.count - 1)), Gen.uint16(in: 0...UInt16.max).array(of: 1...12)
        ) { field, codes in
            var json = try JSONParser.parse(Array(Fixtures.attempt("f", tenant: "t", amount: "1").utf8))
            guard case var .object(members) = json else {
                Issue.record("the fixture is not an object")
                return
            }
            members.removeAll { $0.key == fields[field] }
            members.append((fields[field], Self.randomValue(codes)))
            json = .object(members)
            let record = InputRecord(
                topic: Topics.transactionAttempt, key: Array("t".utf8), value: JSONWriter.bytes(json),
                timestamp: RFC3339.parse(Fixtures.noon), timestampSource: .broker)
            let result = InputDecoder.decode(record)
            let label = Self.classify(result)
            #expect(label.hasPrefix("dead:") || label.hasPrefix("rejected:400") || label == "valid")
            if case let .event(event) = result, case let .attempt(a) = event.body, a.rejection == nil {
                #expect(a.amount.map { Micros(parsing: $0.description) == $0 } == true)
                #expect(json["amount"]?.stringValue.flatMap(Micros.init(parsing:)) == a.amount)
            }
        }
    }

    /// A small random JSON value: strings with awkward characters, numbers, nesting, nulls.
    static func randomValue(_ codes: [UInt16]) -> JSONValue {
        var rest = codes[...]
        func next() -> Int { Int(rest.popFirst() ?? 0) }
        func value(_ depth: Int) -> JSONValue {
            let c = next()
            switch c % 9 {
            case 0: return .null
            case 1: return .bool(c % 2 == 0)
            case 2: return .number(["0", "-1", "1e3", "42.5", "1000000001", "0.0000001"][c % 6])
            case 3:
                return .string(
                    [
                        "", "1", "10.00", " 10", "１０", "live", "x402", "USD", "\u{0}", "t", "a\"b\\c",
                        "2026-11-29T12:00:00Z",
                    ][c % 12])
            case 4: return .string(String(repeating: "x", count: c % 300))
            case 5 where depth < 4: return .array((0..<(c % 3)).map { _ in value(depth + 1) })
            case 6 where depth < 4:
                return .object([("kind", value(depth + 1)), ("id", value(depth + 1)), ("role", value(depth + 1))])
            case 7: return .string("\(c % 1000).\(c % 100)")
            default: return .string(String(c))
            }
        }
        return value(0)
    }
}

@Suite("Security rules")
struct SecurityRuleTests {
    /// Whatever else is true of a live attempt, a tenant that is not approved is refused.
    @Test("live attempts of a tenant that is not approved are always denied")
    func notApprovedAlwaysDenied() async {
        let states = AccessState.allCases.filter { $0 != .productionApproved }
        let amounts = ["0.000001", "1", "99.99", "100", "500", "1000000000"]
        await propertyCheck(
            count: 500, input: Gen.int(in: 0...(states.count - 1)), Gen.int(in: 0...(amounts.count - 1)),
            Gen.bool(), Gen.int64(in: 0...3_000_000_000)
        ) { s, a, disabled, used in
            guard
                case let .attempt(attempt) = Fixtures.event(Fixtures.attempt("x", tenant: "t", amount: amounts[a])).body
            else {
                Issue.record("the fixture is not an attempt")
                return
            }
            let ceiling = CeilingOverride(disabled: disabled).effective(defaults: .betaDefaults)
            let decision = CeilingRules.decide(
                attempt, state: states[s], ceiling: ceiling,
                usedToday: Micros(used % 500_000_000), usedThisMonth: Micros(used))
            #expect(!decision.allowed && decision.status == 403 && decision.reason == "live_access_not_approved")
            #expect(!decision.books)
        }
    }
}
