import LiveGateCore
import Testing

@Suite("Amounts parse exactly into micro-dollars")
struct MicrosTests {
    @Test(
        "accepted forms",
        arguments: [
            ("42.50", 42_500_000), ("1", 1_000_000), ("0.000001", 1), ("007.5", 7_500_000),
            ("100", 100_000_000), ("100.000000", 100_000_000), ("1000000000", 1_000_000_000_000_000),
            ("999999999.999999", 999_999_999_999_999), ("0.1", 100_000), ("12.345678", 12_345_678),
        ] as [(String, Int64)])
    func accepted(text: String, micros: Int64) {
        #expect(Micros(parsing: text)?.value == micros)
    }

    @Test(
        "refused forms",
        arguments: [
            "0", "0.0", "0.000000", "00", "-1", "+1", "1e3", "1E3", "0.0000001", "1.1234567", "１０", " 10", "10 ",
            "10.", ".5", "1,000", "1_000", "", ".", "1..2", "1.2.3", "1000000000.000001", "1000000001",
            "99999999999999999999", "0x10", "NaN", "Infinity", "١٢", "10\u{0}",
        ])
    func refused(text: String) {
        #expect(Micros(parsing: text) == nil)
    }

    @Test(
        "formatting keeps 2 to 6 fraction digits",
        arguments: [
            (42_500_000, "42.50"), (1, "0.000001"), (100_000_000, "100.00"), (12_345_678, "12.345678"),
            (1_230_000, "1.23"), (1_234_000, "1.234"), (0, "0.00"), (-5_000_000, "-5.00"),
        ] as [(Int64, String)])
    func formatting(micros: Int64, text: String) {
        #expect(Micros(micros).description == text)
    }

    @Test("format then parse is the identity for every positive amount shape")
    func roundTrip() {
        for value: Int64 in [1, 9, 10, 99, 100, 999_999, 1_000_000, 1_000_001, 123_456_789, 1_000_000_000_000_000] {
            #expect(Micros(parsing: Micros(value).description)?.value == value)
        }
    }
}
