import LiveGateCore
import Testing

@Suite("Strict JSON")
struct JSONTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(
        "documents that are refused",
        arguments: [
            "", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{'a':1}", "01", "1.", "-", "1e", "tru", "nul",
            "{\"a\":1}x", "\"\\x\"", "\"\\ud800\"", "\"a\u{1}b\"", "{\"a\":1,\"a\":2}", "NaN", "[1 2]",
        ])
    func refused(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test("invalid UTF-8 is refused")
    func invalidUTF8() {
        #expect(throws: JSONParseError.invalidUTF8) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test("nesting is bounded")
    func depth() throws {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        _ = try parse(ok)
        #expect(throws: JSONParseError.tooDeep(limit: 32)) { try parse(deep) }
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.tooDeep(limit: 32)) { try parse(hostile) }
    }

    @Test("escapes decode, including surrogate pairs")
    func escapes() throws {
        #expect(try parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\né😀"))
    }

    @Test("canonical text ignores key order, spacing, escapes and number spelling")
    func canonicalEquality() throws {
        let a = try parse(#"{"b": [1, 2.50, 1500], "a": {"y": "\u0041", "x": null}}"#)
        let b = try parse(#"{"a":{"x":null,"y":"A"},"b":[1.0,25e-1,1.5e3]}"#)
        #expect(a.canonicalText == b.canonicalText)
        let c = try parse(#"{"a":{"x":null,"y":"B"},"b":[1,2.5,1500]}"#)
        #expect(a.canonicalText != c.canonicalText)
        #expect(try parse("-0.0").canonicalText == "0")
        #expect(try parse("[10, 1e1, 100e-1]").canonicalText == "[1e1,1e1,1e1]")
    }

    @Test("writing escapes control characters and round-trips")
    func writer() throws {
        let value = JSONValue.object([("k", .string("a\u{0}b\u{1f}\"\\\u{7f}é"))])
        let text = JSONWriter.string(value)
        #expect(text == #"{"k":"a\u0000b\u001f\"\\\u007fé"}"#)
        #expect(try parse(text) == value)
    }
}
