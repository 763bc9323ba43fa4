import LiveGateCore
import Postgres

extension LedgerStore {
    /// Writes what the ledger decided, each table with one statement for the whole batch (tenants one
    /// each), all in one round trip; then checks what the statements report before the caller commits.
    ///
    /// A concurrent batch that stored the same (tenant, event id) first makes the insert fail with a unique
    /// violation; `apply` then retries, and the retry sees the stored event as a duplicate or a conflict.
    func write(_ ledger: Ledger) throws {
        var statements: [PostgresStatement] = []
        if !ledger.newEvents.isEmpty { statements.append(Self.insertProcessed(ledger.newEvents)) }
        let tenantsAt = statements.count
        statements += ledger.changedTenants.map(Self.updateTenant)
        if !ledger.transitions.isEmpty { statements.append(Self.insertTransitions(ledger.transitions)) }
        if !ledger.newResolutions.isEmpty { statements.append(Self.insertResolutions(ledger.newResolutions)) }
        if !ledger.newThresholds.isEmpty { statements.append(Self.insertThresholds(ledger.newThresholds)) }
        // Rows a batch only adds to (or creates) go through the upsert; rows it takes more from than it adds
        // to always exist, and go through the update: an upsert checks its proposed row, with the net delta
        // as usage, before it sees the conflict, and a negative one fails the CHECK.
        let bookings = ledger.bookings.values.filter { $0.setsLimit && $0.delta >= .zero }
        let releases = ledger.bookings.values.filter { !$0.setsLimit || $0.delta < .zero }
        let usageAt = statements.count
        if !bookings.isEmpty { statements.append(Self.addUsage(bookings)) }
        if !releases.isEmpty { statements.append(Self.releaseUsage(releases)) }
        let results = try connection.pipeline(statements)
        for result in results[tenantsAt..<tenantsAt + ledger.changedTenants.count] where result.affected != 1 {
            throw StoreError.invariant("tenant version moved under its lock")
        }
        if !ledger.bookings.isEmpty { try Self.checkUsage(Array(results[usageAt...]), Array(ledger.bookings.values)) }
    }

    private static func insertResolutions(_ resolutions: [ResolutionRecord]) -> PostgresStatement {
        PostgresStatement(
            """
            INSERT INTO attempt_resolutions (attempt_id, tenant_id, event_id, resolution, released_micros, booked_day,
                                             signing_kid)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::date[], $7::text[])
            """,
            [
                PostgresArray.literal(resolutions.map(\.attemptId)),
                PostgresArray.literal(resolutions.map(\.tenantId)),
                PostgresArray.literal(resolutions.map(\.eventId)),
                PostgresArray.literal(resolutions.map(\.kind.rawValue)),
                PostgresArray.literal(resolutions.map { String($0.released.value) }),
                PostgresArray.literal(resolutions.map { $0.bookedDay?.description }),
                PostgresArray.literal(resolutions.map(\.signingKid)),
            ])
    }

    private static func insertThresholds(_ keys: [ThresholdKey]) -> PostgresStatement {
        PostgresStatement(
            """
            INSERT INTO threshold_notices (tenant_id, window_kind, window_start, template)
            SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[])
            """,
            [
                PostgresArray.literal(keys.map(\.tenantId)),
                PostgresArray.literal(keys.map(\.window.kind.rawValue)),
                PostgresArray.literal(keys.map(\.window.start.description)),
                PostgresArray.literal(keys.map(\.template)),
            ])
    }

    /// `applied_seq` follows the batch's order (the sequence is read after the sort, one row at a time, and under
    /// the tenants' locks), so a simulation replays a tenant's events in the order the ledger applied them. An
    /// attempt's verdict is kept as its facts when they rebuild it (`VerdictColumns`), otherwise as text; each row
    /// leaves out what it already says (`RowForm`).
    private static func insertProcessed(_ events: [StoredEvent]) -> PostgresStatement {
        let forms = events.map(RowForm.init)
        return PostgresStatement(
            """
            INSERT INTO processed_events (event_id, tenant_id, event_type, fingerprint_sha256, outputs, changed_tenant,
                                          booked_micros, booked_day, occurred_at, replay_micros, applied_seq,
                                          verdict_encoding, verdict_status, verdict_code, verdict_reason,
                                          verdict_environment, verdict_rail, verdict_currency, verdict_amount_micros,
                                          verdict_window, verdict_used_micros, verdict_max_now_micros, verdict_retry_at,
                                          ceiling_per_tx_micros, ceiling_daily_micros, ceiling_monthly_micros,
                                          ceiling_disabled, ceiling_override, ceiling_expires_at, decided_at,
                                          verdict_digest)
            SELECT e, t, ty, decode(f, 'hex'), o, c, m, d, timestamptz 'epoch' + at * interval '1 millisecond', r,
                   nextval('processed_events_applied_seq'),
                   enc, st, code, reason, env, rail, cur, amt, win, used, maxnow,
                   timestamptz 'epoch' + retry * interval '1 millisecond', ptx, day, mon, dis, ovr,
                   timestamptz 'epoch' + exp * interval '1 millisecond',
                   timestamptz 'epoch' + dec * interval '1 millisecond', dig
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[],
                        $7::bigint[], $8::date[], $9::bigint[], $10::bigint[],
                        $11::smallint[], $12::smallint[], $13::text[], $14::text[], $15::text[], $16::text[],
                        $17::text[], $18::bigint[], $19::text[], $20::bigint[], $21::bigint[], $22::bigint[],
                        $23::bigint[], $24::bigint[], $25::bigint[], $26::boolean[], $27::boolean[], $28::bigint[],
                        $29::bigint[], $30::bigint[])
                 WITH ORDINALITY AS v(e, t, ty, f, o, c, m, d, at, r, enc, st, code, reason, env, rail, cur, amt,
                                      win, used, maxnow, retry, ptx, day, mon, dis, ovr, exp, dec, dig, n)
            ORDER BY n
            """,
            [
                PostgresArray.literal(events.map(\.eventId)),
                PostgresArray.literal(events.map(\.tenantId)),
                PostgresArray.sparseLiteral(forms.map(\.eventType)),
                PostgresArray.literal(events.map(\.fingerprint)),
                PostgresArray.sparseLiteral(events.map(VerdictColumns.text)),
                PostgresArray.literal(events.map { $0.changedTenant ? "t" : "f" }),
                PostgresArray.sparseLiteral(events.map { Rows.string($0.bookedAmount) }),
                PostgresArray.sparseLiteral(forms.map { $0.bookedDay?.description }),
                PostgresArray.sparseLiteral(events.map { Rows.string($0.occurredAt) }),
                PostgresArray.sparseLiteral(forms.map { Rows.string($0.replay) }),
            ] + VerdictColumns.arrays(forms))
    }

    /// Each update also checks the version it replaces (second line of defence behind the tenant lock).
    private static func updateTenant(_ tenant: TenantRecord) -> PostgresStatement {
        PostgresStatement(
            """
            UPDATE tenants SET state = $2, per_tx_micros = $3, daily_micros = $4, monthly_micros = $5,
                ceiling_disabled = $6,
                declared_at = timestamptz 'epoch' + $7::bigint * interval '1 millisecond',
                reviewed_at = timestamptz 'epoch' + $8::bigint * interval '1 millisecond',
                review_notes = $9, owner_user_id = $10, owner_email = $11, owner_name = $12, version = $13,
                override_expires_at = timestamptz 'epoch' + $14::bigint * interval '1 millisecond',
                suggested_per_tx_micros = $15, suggested_daily_micros = $16, suggested_monthly_micros = $17,
                updated_at = now()
            WHERE tenant_id = $1 AND version < $13
            """,
            [
                tenant.tenantId, tenant.state.rawValue, Rows.string(tenant.override.perTx),
                Rows.string(tenant.override.daily), Rows.string(tenant.override.monthly),
                tenant.override.disabled ? "t" : "f", Rows.string(tenant.declaredAt),
                Rows.string(tenant.reviewedAt), tenant.reviewNotes, tenant.ownerUserId, tenant.ownerEmail,
                tenant.ownerName, String(tenant.version), Rows.string(tenant.override.expiresAt),
                Rows.string(tenant.suggested?.perTx), Rows.string(tenant.suggested?.daily),
                Rows.string(tenant.suggested?.monthly),
            ])
    }

    private static func insertTransitions(_ transitions: [TransitionRecord]) -> PostgresStatement {
        PostgresStatement(
            """
            INSERT INTO tenant_transitions (tenant_id, event_id, action, actor_id, from_state, to_state, notes,
                                            ceiling, occurred_at, signing_kid, ceiling_before,
                                            declared_use_case, declared_volume_usd, declared_website_url)
            SELECT t, e, a, who, f, s, notes, c, timestamptz 'epoch' + at * interval '1 millisecond', kid, cb,
                   uc, vol, url
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                        $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
                AS v(t, e, a, who, f, s, notes, c, at, kid, cb, uc, vol, url)
            """,
            [
                PostgresArray.literal(transitions.map(\.tenantId)),
                PostgresArray.literal(transitions.map(\.eventId)),
                PostgresArray.literal(transitions.map(\.action)),
                PostgresArray.literal(transitions.map(\.actorId)),
                PostgresArray.literal(transitions.map(\.fromState.rawValue)),
                PostgresArray.literal(transitions.map(\.toState.rawValue)),
                PostgresArray.literal(transitions.map(\.notes)),
                PostgresArray.literal(transitions.map { $0.ceiling.map(ceilingText) }),
                PostgresArray.literal(transitions.map { String($0.occurredAt.millis) }),
                PostgresArray.literal(transitions.map(\.signingKid)),
                PostgresArray.literal(transitions.map { $0.ceilingBefore.map(ceilingText) }),
                PostgresArray.literal(transitions.map { $0.declared?.intendedUseCase }),
                PostgresArray.literal(transitions.map { $0.declared?.expectedMonthlyVolumeUSD }),
                PostgresArray.literal(transitions.map { $0.declared?.websiteURL }),
            ])
    }

    /// Adds each window's delta and returns the result: it must equal what the ledger computed, and the
    /// `CHECK (used_micros <= limit_micros)` constraint refuses any overshoot outright.
    private static func addUsage(_ bookings: [UsageBooking]) -> PostgresStatement {
        PostgresStatement(
            """
            INSERT INTO usage_windows AS u (tenant_id, window_kind, window_start, used_micros, limit_micros)
            SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::bigint[], $5::bigint[])
            ON CONFLICT (tenant_id, window_kind, window_start) DO UPDATE
                SET used_micros = u.used_micros + EXCLUDED.used_micros, limit_micros = EXCLUDED.limit_micros,
                    updated_at = now()
            RETURNING tenant_id, window_kind, window_start, used_micros
            """,
            [
                PostgresArray.literal(bookings.map(\.key.tenantId)),
                PostgresArray.literal(bookings.map(\.key.window.kind.rawValue)),
                PostgresArray.literal(bookings.map(\.key.window.start.description)),
                PostgresArray.literal(bookings.map { String($0.delta.value) }),
                PostgresArray.literal(bookings.map { Rows.string($0.limit) }),
            ])
    }

    /// Windows the batch released more from than it booked into (resolutions): existing rows, which keep their
    /// limit unless the batch also booked under one.
    private static func releaseUsage(_ releases: [UsageBooking]) -> PostgresStatement {
        PostgresStatement(
            """
            UPDATE usage_windows AS u SET used_micros = u.used_micros + r.delta,
                limit_micros = CASE WHEN r.sets THEN r.lim ELSE u.limit_micros END, updated_at = now()
            FROM unnest($1::text[], $2::text[], $3::date[], $4::bigint[], $5::bigint[], $6::boolean[])
                AS r(tenant_id, kind, start, delta, lim, sets)
            WHERE u.tenant_id = r.tenant_id AND u.window_kind = r.kind AND u.window_start = r.start
            RETURNING u.tenant_id, u.window_kind, u.window_start, u.used_micros
            """,
            [
                PostgresArray.literal(releases.map(\.key.tenantId)),
                PostgresArray.literal(releases.map(\.key.window.kind.rawValue)),
                PostgresArray.literal(releases.map(\.key.window.start.description)),
                PostgresArray.literal(releases.map { String($0.delta.value) }),
                PostgresArray.literal(releases.map { Rows.string($0.limit) }),
                PostgresArray.literal(releases.map { $0.setsLimit ? "t" : "f" }),
            ])
    }

    /// The upsert returns the read's columns, so the read's parser turns them into the ledger's keys.
    private static func checkUsage(_ results: [PostgresRows], _ bookings: [UsageBooking]) throws {
        var after: [UsageKey: Micros] = [:]
        for rows in results { after.merge(try usage(rows)) { $1 } }
        guard after.count == bookings.count, bookings.allSatisfy({ after[$0.key] == $0.usedAfter }) else {
            throw StoreError.invariant("usage after the batch differs from the ledger's")
        }
    }

    static func ceilingText(_ c: CeilingOverride) -> String {
        func limit(_ m: Micros?) -> String { m.map { "\"\($0)\"" } ?? "null" }
        return "{\"per_tx\":\(limit(c.perTx)),\"daily\":\(limit(c.daily)),\"monthly\":\(limit(c.monthly)),"
            + "\"disabled\":\(c.disabled),\"expires_at\":\(c.expiresAt.map { "\"\($0)\"" } ?? "null")}"
    }
}
