import LiveGateCore
import Postgres

/// Conversions between stored rows (text, as libpq returns them) and core values. A row that does not
/// convert is an invariant violation, never a silently defaulted value.
enum Rows {
    static let tenantColumns: SQL = """
        tenant_id, state, per_tx_micros, daily_micros, monthly_micros, ceiling_disabled,
        (extract(epoch FROM declared_at) * 1000)::bigint, (extract(epoch FROM reviewed_at) * 1000)::bigint,
        review_notes, owner_user_id, owner_email, owner_name, version,
        (extract(epoch FROM override_expires_at) * 1000)::bigint, suggested_per_tx_micros, suggested_daily_micros,
        suggested_monthly_micros
        """

    static func tenant(_ row: [String?]) throws(StoreError) -> TenantRecord {
        guard row.count == 17, let id = row[0], let state = row[1].flatMap(AccessState.init(rawValue:)),
            let disabled = row[5], let version = row[12].flatMap(Int64.init)
        else { throw .invariant("a tenants row does not convert") }
        var tenant = TenantRecord(
            tenantId: id, state: state,
            override: CeilingOverride(
                perTx: try micros(row[2]), daily: try micros(row[3]),
                monthly: try micros(row[4]), disabled: disabled == "t",
                expiresAt: try instant(row[13])),
            declaredAt: try instant(row[6]), reviewedAt: try instant(row[7]), reviewNotes: row[8],
            ownerUserId: row[9], ownerEmail: row[10], ownerName: row[11], version: version)
        if let perTx = try micros(row[14]), let daily = try micros(row[15]), let monthly = try micros(row[16]) {
            tenant.suggested = CeilingLimits(perTx: perTx, daily: daily, monthly: monthly)
        }
        return tenant
    }

    static func micros(_ text: String?) throws(StoreError) -> Micros? {
        guard let text else { return nil }
        guard let value = Int64(text) else { throw .invariant("a stored amount is not an integer") }
        return Micros(value)
    }

    static func instant(_ text: String?) throws(StoreError) -> UTCInstant? {
        guard let text else { return nil }
        guard let millis = Int64(text) else { throw .invariant("a stored timestamp is not an integer") }
        return UTCInstant(millis: millis)
    }

    /// `YYYY-MM-DD` as PostgreSQL prints a `date` (ISO DateStyle is set on every connection).
    static func date(_ text: String?) throws(StoreError) -> CivilDate {
        let parts = (text ?? "").split(separator: "-").compactMap { Int64($0) }
        guard parts.count == 3 else { throw .invariant("a stored date does not parse") }
        return CivilDate(year: parts[0], month: parts[1], day: parts[2])
    }

    static func string(_ micros: Micros?) -> String? { micros.map { String($0.value) } }
    static func string(_ instant: UTCInstant?) -> String? { instant.map { String($0.millis) } }

    /// Stored outputs, one per line: `topic<TAB>value`. The values are LiveGate's own JSON, which never
    /// contains a raw tab or newline (the writer escapes every control character), so the exact bytes first
    /// published come back without a second round of escaping (which cost a quarter of a batch's time).
    static func encodeOutputs(_ outputs: [OutputRecord]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(outputs.reduce(0) { $0 + $1.topic.utf8.count + $1.value.count + 2 })
        for (i, output) in outputs.enumerated() {
            if i > 0 { text.append(0x0A) }
            text.append(contentsOf: output.topic.utf8)
            text.append(0x09)
            text.append(contentsOf: output.value)
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func decodeOutputs(_ text: String, key: String) throws(StoreError) -> [OutputRecord] {
        var outputs: [OutputRecord] = []
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard let tab = line.firstIndex(of: 0x09), tab != line.startIndex else {
                throw .invariant("a stored output is not topic<TAB>value")
            }
            outputs.append(
                OutputRecord(
                    topic: String(decoding: line[..<tab], as: UTF8.self), key: key,
                    value: Array(line[line.index(after: tab)...])))
        }
        return outputs
    }
}
