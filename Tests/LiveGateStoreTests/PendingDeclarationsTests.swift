import LiveGateCore
import LiveGateStore
import LiveGateTestSupport
import Testing

@Suite("The review queue's read: pending tenants with what their latest declaration asked")
struct PendingDeclarationsTests {
    @Test("only declaration_pending, oldest first, bounded, with the latest declaration's fields and the owner")
    func pendingOnly() throws {
        let h = try StoreHarness()
        defer { h.database.drop() }
        try h.apply(Fixtures.declaration("d1", tenant: "t-late", at: "2026-12-04T15:00:00Z"))
        try h.apply(
            Fixtures.declaration("d2", tenant: "t-early", at: "2026-12-01T09:00:00Z", email: "early@example.com"))
        try h.apply(Fixtures.declaration("d3", tenant: "t-approved", at: "2026-11-20T09:00:00Z"))
        try h.apply(Fixtures.decision("a3", tenant: "t-approved", action: "approve"))
        // Denied, then declared again with another use case: the queue shows the second declaration.
        try h.apply(
            Fixtures.declaration(
                "d4", tenant: "t-again", at: "2026-11-20T09:00:00Z", useCase: "First try at a use case"))
        try h.apply(Fixtures.decision("n4", tenant: "t-again", action: "deny", notes: "Need a website"))
        try h.apply(
            Fixtures.declaration(
                "d5", tenant: "t-again", at: "2026-12-02T10:00:00Z", useCase: "Second, better use case"))

        let connection = try h.connection()
        let page = try PendingDeclarations.load(limit: 10, on: connection)
        let (rows, total) = (page.oldest, page.total)
        #expect(total == 3)
        #expect(rows.map(\.tenantId) == ["t-early", "t-again", "t-late"])
        let early = rows[0]
        #expect(early.declaredAt.description == "2026-12-01T09:00:00.000Z")
        #expect(early.intendedUseCase == "Agents paying x402 APIs for our research product")
        #expect(early.expectedMonthlyVolumeUSD == "1500")
        #expect(early.websiteURL == "https://example.com")
        #expect(early.ownerEmail == "early@example.com" && early.ownerName == "Ada")
        #expect(early.suggested != nil)
        #expect(early.version == 1)
        #expect(rows[1].intendedUseCase == "Second, better use case")
        #expect(rows[1].version == 3)

        let two = try PendingDeclarations.load(limit: 2, on: connection)
        #expect(two.oldest.map(\.tenantId) == ["t-early", "t-again"] && two.total == 3, "the bound keeps the oldest")
    }

    @Test("a declaration accepted before the fields were kept lists them as null, not as an error")
    func olderDeclaration() throws {
        let h = try StoreHarness()
        defer { h.database.drop() }
        try h.apply(Fixtures.declaration("d1", tenant: "t-1", at: "2026-12-04T15:00:00Z"))
        let connection = try h.connection()
        try connection.query("ALTER TABLE tenant_transitions DISABLE TRIGGER tenant_transitions_append_only")
        try connection.query(
            """
            UPDATE tenant_transitions
            SET declared_use_case = NULL, declared_volume_usd = NULL, declared_website_url = NULL
            """
        )
        let rows = try PendingDeclarations.load(limit: 10, on: connection).oldest
        #expect(rows.count == 1 && rows[0].intendedUseCase == nil && rows[0].websiteURL == nil)
        #expect(rows[0].ownerEmail == "owner@example.com")
    }
}
