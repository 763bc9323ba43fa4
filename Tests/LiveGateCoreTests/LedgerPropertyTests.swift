import LiveGateCore
import LiveGateTestSupport
import PropertyBased
import Testing

@Suite("The ledger against a reference model")
struct LedgerPropertyTests {
    @Test("random event sequences: same verdicts, same usage, repeats byte for byte")
    func randomSequences() async {
        await propertyCheck(count: 300, input: Gen.uint16(in: 0...UInt16.max).array(of: 1...80)) { codes in
            var ledger = Ledger(rules: .standard, tenants: [:], usage: [:], processed: [:])
            var model = ReferenceModel()
            var firstBytes: [String: [UInt8]] = [:]
            for step in RandomStory.steps(codes) {
                let event = Fixtures.event(step.json)
                let outcome = ledger.apply(event)
                let value = try JSONParser.parse(Array(step.json.utf8))
                let expected = model.apply(eventId: step.eventId, tenant: step.tenantId, json: step.json, value: value)
                #expect(try Self.summary(outcome) == expected, "\(step.json)")
                guard let verdict = outcome.outputs.first?.value else { continue }
                if case .duplicate = outcome { #expect(firstBytes[step.eventId] == verdict) }
                else { firstBytes[step.eventId] = verdict }
            }
            var usage: [String: Int64] = [:]
            for (key, used) in ledger.usage where used > .zero {
                let start = key.window.start.description
                usage["\(key.tenantId)|\(key.window.kind == .day ? start : String(start.prefix(7)))"] = used.value
            }
            #expect(usage == model.usage.filter { $0.value > 0 })
        }
    }

    static func summary(_ outcome: EventOutcome) throws -> ReferenceModel.Expected {
        let kind: String
        switch outcome {
        case .applied: kind = "applied"
        case .duplicate: kind = "duplicate"
        case .conflict: return ReferenceModel.Expected(kind: "conflict")
        case .refused: return ReferenceModel.Expected(kind: "refused")  // the pipeline's, never the ledger's
        }
        let v = try JSONParser.parse(outcome.outputs[0].value)
        let status = v["status"].flatMap { if case let .number(n) = $0 { return Int(n) } else { return nil } }
        return ReferenceModel.Expected(kind: kind, outcome: v["outcome"]?.stringValue, status: status,
                                       reason: v["reason"]?.stringValue, state: v["state"]?.stringValue)
    }
}
