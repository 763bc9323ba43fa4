import Foundation
import LiveGateHTTP
import Testing

@Suite("API token file: scopes, tenant binding, mistakes by line number, reload")
struct APITokensTests {
    func failure(_ text: String) -> APITokens.Failure? {
        do {
            _ = try APITokens(text: text, source: "tokens.txt")
            return nil
        } catch {
            return error
        }
    }

    @Test("each line grants its scopes and binding; comments, blank lines and Windows line ends are fine")
    func grants() throws {
        let tokens = try APITokens(text: TestTokens.file.replacingOccurrences(of: "\n", with: "\r\n"), source: "test")
        #expect(tokens.count == 7)
        #expect(
            tokens.grant(authorization: "Bearer \(TestTokens.boundAttempts)")
                == Grant(scopes: [.attemptsWrite, .statusRead], tenant: "t-1"))
        #expect(tokens.grant(authorization: "bearer \(TestTokens.status)") == Grant(scopes: [.statusRead]))
        #expect(tokens.grant(authorization: "Bearer not-a-token-0123456789") == nil)
        #expect(tokens.grant(authorization: TestTokens.status) == nil, "without the Bearer scheme")
        #expect(tokens.grant(authorization: nil) == nil)
    }

    @Test(
        "a line without scopes, with an unknown scope, a short token, a bad binding: refused with its line, never its token"
    )
    func mistakes() {
        let good = "\(TestTokens.all) status:read"
        let secret = "secret-token-value-0123456789"
        #expect(failure("# c\n\(good)\n\(secret)") == .noScopes(line: 3))
        #expect(failure("\(good)\n\n\(secret) status:read,attempts:read") == .unknownScope(line: 3))
        #expect(failure("\(secret) status:read,") == .unknownScope(line: 1))
        #expect(failure("short status:read") == .tooShort(line: 1))
        #expect(failure("\(secret) status:read tenant=") == .badTenant(line: 1))
        #expect(failure("\(secret) status:read t-1") == .badTenant(line: 1))
        #expect(failure("\(secret) status:read tenant=t-1 more") == .extraFields(line: 1))
        #expect(failure("\(secret) status:read\n\(secret) admin:read") == .repeated(line: 2, first: 1))
        #expect(failure("# only comments\n\n") == .empty("tokens.txt"))
        for text in ["\(secret)", "\(secret) status:read,\(secret)", "\(secret) status:read tenant=t-1 \(secret)"] {
            let description = failure(text).map { "\($0)" } ?? ""
            #expect(!description.isEmpty && !description.contains(secret), "\(description)")
        }
    }

    @Test("tenant ids in a binding compare as bytes: an NFD spelling of the bound NFC id is another tenant")
    func bytes() throws {
        let rule = try #require(RouteAccess.rule(method: .get, route: "/v1/tenants/{tenant_id}/production-status"))
        let bound = Credentials.Lookup.granted(Grant(scopes: [.statusRead], tenant: "caf\u{e9}"))
        #expect(Access.decide(bound, rule, tenant: "cafe\u{301}") == .forbidden(reason: "tenant_scope"))
        #expect(Access.decide(bound, rule, tenant: "caf\u{e9}") == .allowed(tenant: "caf\u{e9}"))
    }

    @Test("reload: a new file replaces the tokens; one that does not parse keeps them")
    func reload() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = "first-token-0123456789", second = "second-token-0123456789"
        try "\(first) status:read\n".write(toFile: path, atomically: true, encoding: .utf8)
        let credentials = try Credentials(file: path)
        #expect(credentials.lookup(authorization: "Bearer \(first)") == .granted(Grant(scopes: [.statusRead])))

        try "\(second) admin:read\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try credentials.reload().get() == 1)
        #expect(credentials.lookup(authorization: "Bearer \(first)") == .unknown)
        #expect(credentials.lookup(authorization: "Bearer \(second)") == .granted(Grant(scopes: [.adminRead])))

        try "\(second) admin:read\n\(first)\n".write(toFile: path, atomically: true, encoding: .utf8)
        guard case let .failure(failure) = credentials.reload() else { Issue.record("a broken file was taken"); return }
        #expect(failure == .noScopes(line: 2) && !"\(failure)".contains(first))
        #expect(
            credentials.lookup(authorization: "Bearer \(second)") == .granted(Grant(scopes: [.adminRead])),
            "the tokens in force stay")
        #expect(Credentials.open.lookup(authorization: nil) == .open)
    }
}

@Suite("Bounds of serve, without I/O: the body budget and the body deadline")
struct BoundsTests {
    @Test("the budget reserves, refuses past its capacity, shrinks to what was read and is given back once")
    func budget() throws {
        let budget = BodyBudget(bytes: 1000)
        let first = try #require(budget.reserve(800))
        #expect(budget.reserve(300) == nil)
        first.shrink(to: 200)
        #expect(budget.reserved == 200)
        let second = try #require(budget.reserve(800))
        first.shrink(to: 500)  // never grows
        #expect(budget.reserved == 1000)
        first.release()
        first.release()
        second.release()
        #expect(budget.reserved == 0)
    }
}
