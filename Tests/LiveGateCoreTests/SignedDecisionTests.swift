import Crypto
import LiveGateCore
import LiveGateTestSupport
import Testing

@Suite("RFC 8785 canonical JSON, the RFC's own examples")
struct JCSTests {
    func jcs(_ text: String) throws -> String {
        String(decoding: try JSONParser.parse(Array(text.utf8)).jcsBytes(), as: UTF8.self)
    }

    @Test("section 3.2.2: numbers, a string with escapes, literals")
    func combined() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        #expect(
            try jcs(input)
                == #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        )
    }

    @Test("section 3.2.3: members sorted by UTF-16 code units, not by scalars or UTF-8")
    func sorting() throws {
        let input = #"""
            {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
             "\u00f6": "Latin Small Letter O With Diaeresis"}
            """#
        let expected =
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
            + "\"\u{F6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20AC}\":\"Euro Sign\","
            + "\"\u{1F600}\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(try jcs(input) == expected)
    }

    @Test(
        "appendix B: IEEE 754 doubles and their text",
        arguments: [
            ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
            ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
            ("ffefffffffffffff", "-1.7976931348623157e+308"), ("4340000000000000", "9007199254740992"),
            ("c340000000000000", "-9007199254740992"), ("4430000000000000", "295147905179352830000"),
            ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
            ("44b52d02c7e14af7", "1.0000000000000001e+23"), ("444b1ae4d6e2ef4e", "999999999999999700000"),
            ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
            ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
            ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
            ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
            ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
            ("43143ff3c1cb0959", "1424953923781206.2"),
        ])
    func numbers(bits: String, expected: String) throws {
        let value = Double(bitPattern: UInt64(bits, radix: 16)!)
        let bytes = try JSONValue.number(value.description).jcsBytes()
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test("a number beyond any double has no canonical form")
    func outOfRange() {
        #expect(throws: JCSError.numberOutOfRange("1e400")) { try JSONValue.number("1e400").jcsBytes() }
    }
}

@Suite("Base64url without padding")
struct Base64URLTests {
    @Test("round trips every length, and refuses padding, other alphabets and stray bits")
    func strict() {
        for n in 0..<70 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let text = Base64.urlEncode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64.urlDecode(text) == bytes)
        }
        for bad in ["AA==", "A", "AB+/", "AB", "AAB", " AAA"] { #expect(Base64.urlDecode(bad) == nil, "\(bad)") }
        #expect(Base64.urlDecode("AA") == [0] && Base64.urlDecode("AAA") == [0, 0])
    }
}

@Suite("Signed decisions (contract: checked first, 403 FORBIDDEN)")
struct SignedDecisionTests {
    let admin = DecisionSigningKey(kid: "admin-3-2026-12")
    var keys: DecisionKeySet { try! DecisionKeySet.parse(JSONWriter.bytes(DecisionSigningKey.keySetJSON([admin]))) }

    func signed(_ json: String, by key: DecisionSigningKey? = nil) throws -> String {
        JSONWriter.string(try (key ?? admin).sign(try JSONParser.parse(Array(json.utf8))))
    }

    func verdict(_ json: String, keys: DecisionKeySet?) -> JSONValue {
        var ledger = Ledger(rules: Rules(decisionKeys: keys), tenants: [:], usage: [:], processed: [:])
        _ = ledger.apply(Fixtures.event(Fixtures.declaration("d1", tenant: "t")))
        let outcome = ledger.apply(Fixtures.event(json, rules: Rules(decisionKeys: keys)))
        return Fixtures.values(outcome.outputs, topic: Topics.accessVerdict)[0]
    }

    @Test("a decision signed by a key of the set is applied, and the history names the key")
    func accepted() throws {
        let json = try signed(Fixtures.decision("a1", tenant: "t", action: "approve"))
        var ledger = Ledger(rules: Rules(decisionKeys: keys), tenants: [:], usage: [:], processed: [:])
        _ = ledger.apply(Fixtures.event(Fixtures.declaration("d1", tenant: "t")))
        let outcome = ledger.apply(Fixtures.event(json, rules: Rules(decisionKeys: keys)))
        #expect(Fixtures.values(outcome.outputs, topic: Topics.accessVerdict)[0]["outcome"] == .string("accepted"))
        #expect(ledger.transitions.last?.signingKid == "admin-3-2026-12")
        #expect(ledger.transitions.first?.signingKid == nil, "a declaration is not signed")
    }

    @Test("the signature covers the event as decoded: key order and spacing do not matter")
    func canonical() throws {
        let json = try JSONParser.parse(Array(try signed(Fixtures.decision("a1", tenant: "t", action: "approve")).utf8))
        guard case let .object(members) = json else { Issue.record("not an object"); return }
        let reordered = JSONWriter.string(.object(members.reversed()))
        #expect(verdict(reordered, keys: keys)["outcome"] == .string("accepted"))
    }

    @Test("missing, unknown and wrong signatures are refused, in that order, and before the actor")
    func refused() throws {
        let other = DecisionSigningKey(kid: "someone-else")
        let approve = Fixtures.decision("a1", tenant: "t", action: "approve")
        let tampered = try signed(approve).replacingOccurrences(
            of: #""action":"approve""#, with: #""action":"suspend""#)
        let forgedKid = try signed(approve, by: DecisionSigningKey(kid: "admin-3-2026-12"))  // same kid, other key
        let cases: [(String, String)] = [
            (approve, "signature_required"),
            (Fixtures.decision("a1", tenant: "t", action: "approve", actorKind: "user"), "signature_required"),
            (try signed(approve, by: other), "unknown_signing_key"),
            (tampered, "bad_signature"),
            (forgedKid, "bad_signature"),
            (
                try signed(approve).replacingOccurrences(of: #""alg":"ed25519""#, with: #""alg":"none""#),
                "bad_signature"
            ),
        ]
        for (json, reason) in cases {
            let v = verdict(json, keys: keys)
            #expect(
                v["outcome"] == .string("rejected") && v["status"] == .number("403")
                    && v["code"] == .string("FORBIDDEN") && v["reason"] == .string(reason), "\(json) → \(v)")
            #expect(v["state"] == .string("declaration_pending"), "nothing changes")
        }
    }

    @Test("without a key set, decisions are trusted as before, signed or not")
    func unsignedTrusted() throws {
        let approve = Fixtures.decision("a1", tenant: "t", action: "approve")
        #expect(verdict(approve, keys: nil)["outcome"] == .string("accepted"))
        #expect(verdict(try signed(approve), keys: nil)["outcome"] == .string("accepted"))
    }

    @Test("key sets: several keys at once; malformed entries refused")
    func keySets() throws {
        let second = DecisionSigningKey(kid: "k2")
        let both = try DecisionKeySet.parse(JSONWriter.bytes(DecisionSigningKey.keySetJSON([admin, second])))
        #expect(Set(both.keys.keys) == ["admin-3-2026-12", "k2"])
        let approve = Fixtures.decision("a1", tenant: "t", action: "approve")
        #expect(verdict(try signed(approve, by: second), keys: both)["outcome"] == .string("accepted"))
        let entry = JSONWriter.string(admin.publicEntry)
        for bad in [
            #"{}"#, #"{"keys": []}"#, #"{"keys": [\#(entry), \#(entry)]}"#,
            #"{"keys": [{"kid": "a", "alg": "rsa", "public_key": "AAAA"}]}"#,
            #"{"keys": [{"kid": "a", "alg": "ed25519", "public_key": "AAAA"}]}"#,
            #"{"keys": [{"kid": "", "alg": "ed25519", "public_key": "AAAA"}]}"#,
        ] {
            #expect(throws: DecisionKeySet.LoadError.self, "\(bad)") { try DecisionKeySet.parse(Array(bad.utf8)) }
        }
    }

    @Test("a private key file reads back as the same key")
    func keyFile() throws {
        let again = try DecisionSigningKey.parse(JSONWriter.bytes(admin.fileJSON))
        #expect(again.kid == admin.kid && again.key.rawRepresentation == admin.key.rawRepresentation)
    }
}
