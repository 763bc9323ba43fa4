import LiveGateCore
import Testing

@Suite("The review queue's answer")
struct ReviewQueueTests {
    func at(_ text: String) -> UTCInstant { RFC3339.parse(text)! }

    @Test("oldest declaration first (ties by tenant id, byte order), bounded by max, with the contract's fields")
    func orderAndShape() throws {
        let pending = [
            PendingDeclaration(tenantId: "t-b", declaredAt: at("2026-12-04T15:00:00Z"), version: 3),
            PendingDeclaration(
                tenantId: "t-old", declaredAt: at("2026-12-01T09:00:00Z"),
                intendedUseCase: "Agents paying x402 APIs for our research product", expectedMonthlyVolumeUSD: "1500.5",
                websiteURL: "https://example.com",
                suggested: CeilingLimits(
                    perTx: Micros(100_000_000), daily: Micros(500_000_000), monthly: Micros(2_000_000_000)),
                ownerEmail: "owner@example.com", ownerName: "Ada", version: 7),
            PendingDeclaration(tenantId: "t-a", declaredAt: at("2026-12-04T15:00:00Z")),
        ]
        let queue = ReviewQueue(pending, settings: .init(), now: at("2026-12-07T12:00:00Z"))
        #expect(queue.entries.map(\.declaration.tenantId) == ["t-old", "t-a", "t-b"])
        #expect(queue.overdueCount == 1)  // due 2026-12-04T09:00
        #expect(queue.oldestAgeSeconds == 6 * 86_400 + 3 * 3_600)
        guard case let .array(items) = queue.json, let first = items.first, let bare = items.last else {
            Issue.record("not an array")
            return
        }
        #expect(
            JSONWriter.string(first)
                == #"{"tenant_id":"t-old","declared_at":"2026-12-01T09:00:00.000Z","#
                + #""due_at":"2026-12-04T09:00:00.000Z","#
                + #""overdue":true,"business_days_waiting":4,"#
                + #""intended_use_case":"Agents paying x402 APIs for our research product","#
                + #""expected_monthly_volume_usd":1500.5,"website_url":"https://example.com","#
                + #""suggested_ceiling":{"per_tx":"100.00","daily":"500.00","monthly":"2000.00"},"#
                + #""owner":{"email":"owner@example.com","name":"Ada"},"version":7}"#)
        for key in ["intended_use_case", "expected_monthly_volume_usd", "website_url", "suggested_ceiling"] {
            #expect(bare[key] == .null, "\(key)")
        }
        #expect(bare["owner"] == .object([("email", .null), ("name", .null)]))
        let two = ReviewQueue(pending, settings: .init(max: 2), now: at("2026-12-07T12:00:00Z"))
        #expect(two.entries.map(\.declaration.tenantId) == ["t-old", "t-a"])
    }

    @Test("an empty queue: nothing overdue, no age")
    func empty() {
        let queue = ReviewQueue([], settings: .init(), now: at("2026-12-07T12:00:00Z"))
        #expect(queue.overdueCount == 0 && queue.oldestAgeSeconds == 0 && queue.json == .array([]))
    }

    @Test("the SLA and the holidays move due_at")
    func settings() {
        let pending = [PendingDeclaration(tenantId: "t", declaredAt: at("2026-12-04T15:00:00Z"))]
        let holidays = BusinessCalendar(holidays: [CivilDate(year: 2026, month: 12, day: 7)])
        let queue = ReviewQueue(
            pending, settings: .init(slaDays: 1, calendar: holidays), now: at("2026-12-08T15:00:00Z"))
        #expect(queue.entries[0].dueAt.description == "2026-12-08T15:00:00.000Z")
        #expect(queue.entries[0].overdue == false)
    }
}
