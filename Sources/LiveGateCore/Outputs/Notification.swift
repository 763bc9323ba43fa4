/// `sly.notification.v1`: what the email and in-app senders deliver. Ids derive from the input's tenant and
/// event id, the channel and the audience, so a replay yields the same ids and senders can drop duplicates.
public enum Notifications {
    public static let href = "/dashboard/settings/production-access"

    enum Template: String {
        case requested = "production_access_requested"
        case approved = "production_access_approved"
        case denied = "production_access_denied"
        case suspended = "production_access_suspended"
        case reinstated = "production_access_reinstated"
        case ceilingWarning = "ceiling_warning"
        case ceilingReached = "ceiling_reached"
    }

    /// The two threshold notices (contract v1.1): sent once per tenant, window and template.
    public enum Threshold: Sendable {
        case warning, reached

        var template: Template { self == .warning ? .ceilingWarning : .ceilingReached }
        var percent: Int { self == .warning ? 80 : 100 }
    }

    /// The review-queue notice for an accepted declaration.
    static func reviewQueue(eventId: String, tenant: TenantRecord, useCase: String, at: UTCInstant) -> [OutputRecord] {
        let data: JSONValue = .object([
            ("event_id", .string(eventId)), ("tenant_id", .string(tenant.tenantId)),
            ("intended_use_case", .string(useCase)), ("owner_email", .string(tenant.ownerEmail)),
            ("suggested_ceiling", tenant.suggested?.json ?? .null),
        ])
        return [
            record(
                eventId: eventId, tenant: tenant, channel: "in_app", audience: "platform_admins",
                recipient: "platform_admins", template: .requested, title: "Production access requested",
                body: "Tenant \(tenant.tenantId) asked for production access and awaits review.",
                data: data, at: at)
        ]
    }

    /// Email and in-app notices to the owner for an applied approve, deny or suspend.
    static func ownerNotices(
        eventId: String, tenant: TenantRecord, from previous: AccessState,
        ceiling: EffectiveCeiling, at: UTCInstant
    ) -> [OutputRecord] {
        let (template, title, body) = wording(tenant: tenant, from: previous, ceiling: ceiling)
        let data: JSONValue = .object([
            ("event_id", .string(eventId)), ("tenant_id", .string(tenant.tenantId)),
            ("previous_state", .string(previous.rawValue)), ("state", .string(tenant.state.rawValue)),
            ("review_notes", .string(tenant.reviewNotes)), ("ceiling", ceiling.json),
        ])
        return [("email", tenant.ownerEmail), ("in_app", tenant.ownerUserId)].map { channel, recipient in
            record(
                eventId: eventId, tenant: tenant, channel: channel, audience: "tenant_owner", recipient: recipient,
                template: template, title: title, body: body, data: data, at: at)
        }
    }

    /// The owner's email and in-app notices (and, when the ceiling is reached, one to the admins) that a
    /// window's usage crossed 80 % of its limit or ran into it. Ids derive from the tenant, the window, the
    /// template, the channel and the audience, so they never repeat for one window.
    static func threshold(
        _ kind: Threshold, tenant: TenantRecord, window: UsageWindow, limit: Micros, used: Micros,
        at: UTCInstant
    ) -> [OutputRecord] {
        let name = window.kind == .day ? "daily" : "monthly"
        let data: JSONValue = .object([
            ("window", .string(name)), ("window_start", .instant(window.startInstant)),
            ("resets_at", .instant(window.resetsAt)), ("limit", .string(limit.description)),
            ("used", .string(used.description)), ("threshold_percent", .int(kind.percent)),
        ])
        let (title, body) =
            kind == .warning
            ? (
                "80% of your \(name) beta ceiling used",
                "Live spending has used $\(used) of the $\(limit) \(name) ceiling. It resets at \(window.resetsAt)."
            )
            : (
                "Your \(name) beta ceiling is reached",
                "A live transaction was declined: $\(used) of the $\(limit) \(name) ceiling is used. It resets at \(window.resetsAt)."
            )
        let id = "\(tenant.tenantId)/\(window.kind.rawValue)/\(window.start)/\(kind.template.rawValue)"
        var recipients = [("email", "tenant_owner", tenant.ownerEmail), ("in_app", "tenant_owner", tenant.ownerUserId)]
        if kind == .reached { recipients.append(("in_app", "platform_admins", "platform_admins")) }
        return recipients.map { channel, audience, recipient in
            record(
                id: "\(id)/\(channel)/\(audience)", tenant: tenant, channel: channel, audience: audience,
                recipient: recipient, template: kind.template, title: title, body: body, data: data, at: at)
        }
    }

    private static func wording(
        tenant: TenantRecord, from previous: AccessState,
        ceiling: EffectiveCeiling
    ) -> (Template, String, String) {
        let notes = tenant.reviewNotes.map { " Reviewer notes: \($0)" } ?? ""
        let limits =
            ceiling.disabled
            ? "No beta ceiling applies."
            : "Beta ceilings: $\(ceiling.limits.perTx) per transaction, $\(ceiling.limits.daily) per UTC day, "
                + "$\(ceiling.limits.monthly) per UTC month."
        switch tenant.state {
        case .productionApproved where previous == .productionSuspended:
            return (.reinstated, "Production access reinstated", "Live transactions are enabled again. \(limits)")
        case .productionApproved:
            return (.approved, "Production access approved", "Your tenant can now move live money. \(limits)")
        case .productionDenied:
            return (
                .denied, "Production access denied",
                "Your declaration was not approved.\(notes) "
                    + "You may submit a new declaration."
            )
        default:
            return (.suspended, "Production access suspended", "Live transactions are paused.\(notes)")
        }
    }

    /// The id of an input's notice: from v1.2 its tenant leads, since two tenants may use one `event_id`
    /// (idempotency is per tenant) and senders drop notices whose id they have seen. `%` and `/` in the tenant
    /// id are percent-encoded, so the first `/` ends it and no two (tenant, event) pairs share an id.
    static func inputNoticeId(tenantId: String, eventId: String, channel: String, audience: String) -> String {
        var tenant = String.UnicodeScalarView()
        for scalar in tenantId.unicodeScalars {  // scalars, not Characters: "/" plus a combining mark is still "/"
            switch scalar {
            case "%": tenant.append(contentsOf: "%25".unicodeScalars)
            case "/": tenant.append(contentsOf: "%2F".unicodeScalars)
            default: tenant.append(scalar)
            }
        }
        return "\(String(tenant))/\(eventId)/\(channel)/\(audience)"
    }

    private static func record(
        eventId: String, tenant: TenantRecord, channel: String, audience: String,
        recipient: String?, template: Template, title: String, body: String,
        data: JSONValue, at: UTCInstant
    ) -> OutputRecord {
        record(
            id: inputNoticeId(tenantId: tenant.tenantId, eventId: eventId, channel: channel, audience: audience),
            tenant: tenant, channel: channel, audience: audience,
            recipient: recipient, template: template, title: title, body: body, data: data, at: at)
    }

    private static func record(
        id: String, tenant: TenantRecord, channel: String, audience: String,
        recipient: String?, template: Template, title: String, body: String,
        data: JSONValue, at: UTCInstant
    ) -> OutputRecord {
        OutputRecord(
            topic: Topics.notification, key: tenant.tenantId,
            json: .object([
                ("notification_id", .string(id)),
                ("tenant_id", .string(tenant.tenantId)),
                ("channel", .string(channel)),
                ("audience", .string(audience)),
                ("recipient", .string(recipient)),
                ("template", .string(template.rawValue)),
                ("title", .string(title)),
                ("body", .string(body)),
                ("data", data),
                ("href", .string(href)),
                ("created_at", .instant(at)),
            ]))
    }
}
