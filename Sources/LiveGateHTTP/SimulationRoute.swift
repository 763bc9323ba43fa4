import Hummingbird
import LiveGateCore
import LiveGateStore

extension StatusServer {
    /// The largest body a simulation request takes: four members of at most a few dozen bytes each.
    static let maxSimulationBodyBytes = 4096

    /// `POST /v1/tenants/{tenant_id}/ceiling-simulations` (contract v1.2, "What-if before changing a ceiling"):
    /// the tenant's retained history replayed under the proposed ceiling; reads only, changes nothing. 400 for a
    /// body that is no proposal (with every failing field), 404 `never_approved` for a tenant never approved
    /// (there is nothing a ceiling decided), 503 when PostgreSQL is away or slow.
    func ceilingSimulation(_ request: Request, _ context: ServeContext, pool: DatabasePool) async -> Response {
        guard let tenantId = InputDecoder.usableId(context.pathTenant.map(JSONValue.string)) else {
            return Self.invalidTenant
        }
        let bytes: [UInt8]
        do {
            bytes = Array(buffer: try await request.body.collect(upTo: Self.maxSimulationBodyBytes))
        } catch {
            return ServeError.response(
                .contentTooLarge, "body_too_large", "the body is larger than \(Self.maxSimulationBodyBytes) bytes")
        }
        let proposal: CeilingProposal
        do {
            switch CeilingProposal.parse(try JSONParser.parse(bytes)) {
            case let .success(parsed): proposal = parsed
            case let .failure(invalid): return Self.invalidProposal(invalid.errors)
            }
        } catch {
            return ServeError.response(.badRequest, "not_json", InputDecoder.describe(error))
        }
        let rules = rules
        do {
            let loaded = try await pool.run { try SimulationHistory.load(tenantId, on: $0) }
            guard case let .history(history) = loaded else {
                return ServeError.response(
                    .notFound, "never_approved",
                    "this tenant was never approved: no live attempt of it was decided by a ceiling")
            }
            return ServeError.json(.ok, CeilingSimulation.run(history, proposal: proposal, rules: rules).json)
        } catch let error as StoreError where error.kind == .invariantViolated {
            context.logger.error("ceiling simulation failed", metadata: ["error": "\(error)"])
            return ServeError.response(
                .internalServerError, "internal_error", "the tenant's stored history cannot be read")
        } catch {
            return Self.databaseFailure(error, logger: context.logger)
        }
    }

    /// 400 `invalid_request`, the error body of every serve refusal plus `errors: [{"field", "reason",
    /// "message"}]`, one per failing field.
    static func invalidProposal(_ errors: [FieldError]) -> Response {
        ServeError.json(
            .badRequest,
            .object([
                ("code", .string("BAD_REQUEST")), ("reason", .string("invalid_request")),
                ("error", .string("invalid_request")),
                ("message", .string(errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "))),
                (
                    "errors",
                    .array(
                        errors.map {
                            .object([
                                ("field", .string($0.field)), ("reason", .string($0.reason)),
                                ("message", .string($0.message)),
                            ])
                        })
                ),
            ]))
    }
}
