import Postgres

/// SQL of the migrations. The `CHECK` constraints repeat the core's rules on purpose: they are the last
/// line of defence if a bug ever lets a wrong value reach the database.
enum Schema {
    static let v1: SQL = """
        CREATE TABLE tenants (
            tenant_id text PRIMARY KEY CHECK (length(tenant_id) BETWEEN 1 AND 128),
            state text NOT NULL DEFAULT 'sandbox_only' CHECK (state IN ('sandbox_only', 'declaration_pending',
                'production_approved', 'production_denied', 'production_suspended')),
            per_tx_micros bigint CHECK (per_tx_micros BETWEEN 1 AND 1000000000000000),
            daily_micros bigint CHECK (daily_micros BETWEEN 1 AND 1000000000000000),
            monthly_micros bigint CHECK (monthly_micros BETWEEN 1 AND 1000000000000000),
            ceiling_disabled boolean NOT NULL DEFAULT false,
            declared_at timestamptz,
            reviewed_at timestamptz,
            review_notes text,
            owner_user_id text,
            owner_email text,
            owner_name text,
            version bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
            updated_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE tenant_transitions (
            id bigserial PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants (tenant_id),
            event_id text NOT NULL UNIQUE,
            action text NOT NULL CHECK (action IN ('declare', 'approve', 'deny', 'suspend', 'set_ceiling')),
            actor_id text,
            from_state text NOT NULL,
            to_state text NOT NULL,
            notes text,
            ceiling text,
            occurred_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX tenant_transitions_by_tenant ON tenant_transitions (tenant_id, id);

        CREATE FUNCTION livegate_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER tenant_transitions_append_only BEFORE UPDATE OR DELETE ON tenant_transitions
            FOR EACH ROW EXECUTE FUNCTION livegate_append_only();
        CREATE TRIGGER tenant_transitions_no_truncate BEFORE TRUNCATE ON tenant_transitions
            FOR EACH STATEMENT EXECUTE FUNCTION livegate_append_only();

        CREATE TABLE processed_events (
            event_id text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 128),
            tenant_id text NOT NULL REFERENCES tenants (tenant_id),
            event_type text NOT NULL CHECK (event_type IN ('declaration.submitted', 'decision.recorded',
                'transaction.attempted')),
            fingerprint text NOT NULL,
            outputs text NOT NULL,
            changed_tenant boolean NOT NULL,
            booked_micros bigint CHECK (booked_micros > 0),
            booked_day date,
            processed_at timestamptz NOT NULL DEFAULT now(),
            CHECK ((booked_micros IS NULL) = (booked_day IS NULL)),
            CHECK (booked_micros IS NULL OR event_type = 'transaction.attempted')
        );
        CREATE INDEX processed_events_bookings ON processed_events (tenant_id, booked_day)
            WHERE booked_micros IS NOT NULL;

        CREATE TABLE usage_windows (
            tenant_id text NOT NULL REFERENCES tenants (tenant_id),
            window_kind text NOT NULL CHECK (window_kind IN ('day', 'month')),
            window_start date NOT NULL,
            used_micros bigint NOT NULL CHECK (used_micros >= 0),
            limit_micros bigint NOT NULL CHECK (limit_micros > 0),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, window_kind, window_start),
            CHECK (used_micros <= limit_micros),
            CHECK (window_kind = 'day' OR extract(day FROM window_start) = 1)
        );
        """

    /// Workers report themselves here so that ops tools (replay) can tell whether a group is live.
    static let v2: SQL = """
        CREATE TABLE worker_heartbeats (
            group_id text NOT NULL,
            member text NOT NULL,
            started_at timestamptz NOT NULL,
            seen_at timestamptz NOT NULL,
            PRIMARY KEY (group_id, member)
        );

        CREATE TABLE replay_audit (
            id bigserial PRIMARY KEY,
            operator text NOT NULL,
            started_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz,
            topic text NOT NULL,
            partition integer NOT NULL CHECK (partition >= 0),
            from_offset bigint NOT NULL CHECK (from_offset >= 0),
            to_offset bigint NOT NULL CHECK (to_offset >= from_offset),
            dry_run boolean NOT NULL,
            forced boolean NOT NULL,
            records bigint NOT NULL DEFAULT 0,
            applied bigint NOT NULL DEFAULT 0,
            duplicates bigint NOT NULL DEFAULT 0,
            conflicts bigint NOT NULL DEFAULT 0,
            dead_letters bigint NOT NULL DEFAULT 0,
            result text NOT NULL DEFAULT 'running' CHECK (result IN ('running', 'completed', 'failed', 'interrupted'))
        );
        """

    /// Outputs stored before version 3 were a JSON array of [topic, value] pairs; rewrite them in place.
    static let v3: SQL = """
        UPDATE processed_events SET outputs = (
            SELECT string_agg((e ->> 0) || E'\\t' || (e ->> 1), E'\\n' ORDER BY n)
            FROM jsonb_array_elements(outputs::jsonb) WITH ORDINALITY AS t(e, n))
        WHERE left(outputs, 1) = '[';
        """

    /// Ids compare byte for byte. Under the cluster's default collation (C.UTF-8 here, often en_US) every
    /// index comparison went through strcoll: 4% of PostgreSQL's CPU under the bench. Lock order already used
    /// byte order (`COLLATE "C"`), so nothing else changes. Foreign keys are rebuilt with their columns.
    static let v4: SQL = """
        ALTER TABLE tenants ALTER COLUMN tenant_id TYPE text COLLATE "C";
        ALTER TABLE tenant_transitions ALTER COLUMN tenant_id TYPE text COLLATE "C",
            ALTER COLUMN event_id TYPE text COLLATE "C";
        ALTER TABLE processed_events ALTER COLUMN event_id TYPE text COLLATE "C",
            ALTER COLUMN tenant_id TYPE text COLLATE "C";
        ALTER TABLE usage_windows ALTER COLUMN tenant_id TYPE text COLLATE "C",
            ALTER COLUMN window_kind TYPE text COLLATE "C";
        """

    /// Which key signed a decision, when the workers check signatures (contract, "Signed decisions").
    static let v5: SQL = """
        ALTER TABLE tenant_transitions ADD COLUMN signing_kid text CHECK (length(signing_kid) BETWEEN 1 AND 128);
        """

    /// Processed events kept the whole canonical input (with an owner's name and email) as the idempotency
    /// fingerprint; its SHA-256 decides the same. Rewritten in place; the new form never starts with `{`.
    static let v6: SQL = """
        UPDATE processed_events SET fingerprint = encode(sha256(convert_to(fingerprint, 'UTF8')), 'hex')
        WHERE left(fingerprint, 1) = '{';
        ALTER TABLE processed_events ADD CONSTRAINT processed_events_fingerprint_is_sha256
            CHECK (fingerprint ~ '^[0-9a-f]{64}$');
        """

    /// Contract v1.1: expiring overrides and the suggested ceiling on tenants; the ceiling before each decision
    /// in the history; resolutions (`transaction.resolved`) and the threshold notices sent; usage metered while
    /// a ceiling is disabled, which has no limit (so the row's limit may be NULL, and only a limit bounds it).
    static let v7: SQL = """
        ALTER TABLE tenants ADD COLUMN override_expires_at timestamptz,
            ADD COLUMN suggested_per_tx_micros bigint CHECK (suggested_per_tx_micros BETWEEN 1 AND 1000000000000000),
            ADD COLUMN suggested_daily_micros bigint CHECK (suggested_daily_micros BETWEEN 1 AND 1000000000000000),
            ADD COLUMN suggested_monthly_micros bigint CHECK (suggested_monthly_micros BETWEEN 1 AND 1000000000000000),
            ADD CONSTRAINT tenants_suggested_whole CHECK ((suggested_per_tx_micros IS NULL) = (suggested_daily_micros IS NULL)
                AND (suggested_daily_micros IS NULL) = (suggested_monthly_micros IS NULL));
        ALTER TABLE tenant_transitions ADD COLUMN ceiling_before text;
        ALTER TABLE processed_events DROP CONSTRAINT processed_events_event_type_check,
            ADD CONSTRAINT processed_events_event_type_check CHECK (event_type IN ('declaration.submitted',
                'decision.recorded', 'transaction.attempted', 'transaction.resolved'));
        DO $$
        DECLARE c text;
        BEGIN
            SELECT conname INTO STRICT c FROM pg_constraint
            WHERE conrelid = 'usage_windows'::regclass AND contype = 'c'
              AND pg_get_constraintdef(oid) = 'CHECK ((used_micros <= limit_micros))';
            EXECUTE format('ALTER TABLE usage_windows DROP CONSTRAINT %I', c);
        END $$;
        ALTER TABLE usage_windows ALTER COLUMN limit_micros DROP NOT NULL,
            ADD CONSTRAINT usage_windows_within_limit CHECK (limit_micros IS NULL OR used_micros <= limit_micros);

        CREATE TABLE attempt_resolutions (
            attempt_id text COLLATE "C" PRIMARY KEY,
            tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (tenant_id),
            event_id text COLLATE "C" NOT NULL UNIQUE,
            resolution text NOT NULL CHECK (resolution IN ('settled', 'failed')),
            released_micros bigint NOT NULL CHECK (released_micros >= 0),
            booked_day date,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            CHECK (released_micros = 0 OR (resolution = 'failed' AND booked_day IS NOT NULL))
        );
        CREATE TABLE threshold_notices (
            tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (tenant_id),
            window_kind text COLLATE "C" NOT NULL CHECK (window_kind IN ('day', 'month')),
            window_start date NOT NULL,
            template text COLLATE "C" NOT NULL CHECK (template IN ('ceiling_warning', 'ceiling_reached')),
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, window_kind, window_start, template)
        );
        """

    /// `livegate prune`: windows and bookings before `kept_from` may be gone, so reconcile compares only what
    /// is kept. BRIN indexes (a few pages, almost free to maintain: rows arrive in time order) find old rows.
    static let v8: SQL = """
        CREATE TABLE retention (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            kept_from date NOT NULL,
            pruned_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX processed_events_processed_at ON processed_events USING brin (processed_at);
        CREATE INDEX attempt_resolutions_recorded_at ON attempt_resolutions USING brin (recorded_at);
        """

    /// Contract v1.2: the idempotency key is (tenant_id, event_id), so one tenant can no longer claim another's
    /// ids first, and a resolution names an attempt of its own tenant. Every key that held an event id alone
    /// now leads with the tenant; the rows stay as they are (ids were unique across tenants, so they are unique
    /// per tenant), and every stored verdict stays answerable by its tenant and id. Attempts keep their
    /// `occurred_at` (the release window is measured from it; rows from before read it from their verdict),
    /// and accepted resolutions the key that signed them.
    static let v9: SQL = """
        ALTER TABLE processed_events DROP CONSTRAINT processed_events_pkey,
            ADD CONSTRAINT processed_events_pkey PRIMARY KEY (tenant_id, event_id),
            ADD COLUMN occurred_at timestamptz,
            ADD CONSTRAINT processed_events_occurred_at_of_attempts
                CHECK (occurred_at IS NULL OR event_type = 'transaction.attempted');
        ALTER TABLE tenant_transitions DROP CONSTRAINT tenant_transitions_event_id_key,
            ADD CONSTRAINT tenant_transitions_event_key UNIQUE (tenant_id, event_id);
        ALTER TABLE attempt_resolutions DROP CONSTRAINT attempt_resolutions_pkey,
            ADD CONSTRAINT attempt_resolutions_pkey PRIMARY KEY (tenant_id, attempt_id),
            DROP CONSTRAINT attempt_resolutions_event_id_key,
            ADD CONSTRAINT attempt_resolutions_event_key UNIQUE (tenant_id, event_id),
            ADD COLUMN signing_kid text CHECK (length(signing_kid) BETWEEN 1 AND 128);
        """

    /// A replay of every partition of a topic is one run, so one audit row: its partition and offsets are
    /// NULL (all or none of them, a CHECK says) and `ranges` lists each partition's first and last offset,
    /// `[{"partition":0,"first":0,"last":9},…]`; a one-partition replay fills both, as before.
    static let v10: SQL = """
        ALTER TABLE replay_audit ALTER COLUMN partition DROP NOT NULL,
            ALTER COLUMN from_offset DROP NOT NULL,
            ALTER COLUMN to_offset DROP NOT NULL,
            ADD COLUMN ranges jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(ranges) = 'array'),
            ADD CONSTRAINT replay_audit_one_partition_or_all
                CHECK ((partition IS NULL) = (from_offset IS NULL) AND (partition IS NULL) = (to_offset IS NULL));
        """

    /// Contract v1.2, "What-if before changing a ceiling": a simulation replays a tenant's attempts in the order
    /// the workers applied them, so every processed event gets its place in that order (`applied_seq`, taken under
    /// the tenant's lock, in batch order), and each live attempt decided while its tenant was approved keeps its
    /// amount (`replay_micros`; denied ones book nothing, so nothing else holds it). Rows from before are given
    /// both here: the order by `processed_at` (one per batch), then by the verdict's `decided_at` (the broker's
    /// timestamp, which grows with the offset in a partition), then attempts first and by id; the amount from
    /// their verdict. No index: a simulation reads one tenant's rows through the primary key.
    static let v11: SQL = """
        CREATE SEQUENCE processed_events_applied_seq AS bigint;
        ALTER TABLE processed_events ADD COLUMN applied_seq bigint,
            ADD COLUMN replay_micros bigint CHECK (replay_micros BETWEEN 1 AND 1000000000000000),
            ADD CONSTRAINT processed_events_replay_of_attempts
                CHECK (replay_micros IS NULL OR event_type = 'transaction.attempted');
        UPDATE processed_events p SET applied_seq = o.seq
        FROM (SELECT tenant_id, event_id, nextval('processed_events_applied_seq') AS seq
              FROM (SELECT tenant_id, event_id FROM processed_events
                    ORDER BY processed_at,
                        (split_part(split_part(outputs, E'\\n', 1), E'\\t', 2)::jsonb ->> 'decided_at')::timestamptz,
                        event_type = 'transaction.resolved', event_id) AS s) AS o
        WHERE p.tenant_id = o.tenant_id AND p.event_id = o.event_id;
        UPDATE processed_events p SET replay_micros = (v.verdict ->> 'amount')::numeric * 1000000
        FROM (SELECT tenant_id, event_id, split_part(split_part(outputs, E'\\n', 1), E'\\t', 2)::jsonb AS verdict
              FROM processed_events WHERE event_type = 'transaction.attempted') AS v
        WHERE p.tenant_id = v.tenant_id AND p.event_id = v.event_id
          AND v.verdict ->> 'environment' = 'live' AND v.verdict ->> 'amount' ~ '^[0-9]+(\\.[0-9]{1,6})?$'
          AND (v.verdict ->> 'outcome' = 'allowed' OR v.verdict ->> 'code' = 'LIMIT_EXCEEDED');
        """

    /// Contract v1.2, the review queue: what each declaration asked, on its history row (use case, volume as
    /// written, website; no personal data), and an index that finds the pending tenants oldest first without
    /// reading every tenant (serve's gauges ask every 30 s).
    static let v12: SQL = """
        ALTER TABLE tenant_transitions ADD COLUMN declared_use_case text
                CHECK (char_length(declared_use_case) <= 1000),
            ADD COLUMN declared_volume_usd text CHECK (length(declared_volume_usd) <= 64),
            ADD COLUMN declared_website_url text CHECK (length(declared_website_url) <= 2048),
            ADD CONSTRAINT tenant_transitions_declared_only_on_declare
                CHECK (action = 'declare' OR (declared_use_case IS NULL AND declared_volume_usd IS NULL
                    AND declared_website_url IS NULL));
        CREATE INDEX tenants_pending_by_declared_at ON tenants (declared_at, tenant_id)
            WHERE state = 'declaration_pending';
        """

    /// Issue 23: the foreign keys to `tenants` from the tables attempts and resolutions write. Each insert's check
    /// locked its tenant's row (`FOR KEY SHARE`): a tuple write per attempt, and at a million tenants a full-page
    /// image of the tenant's page after each checkpoint (pg_waldump of a bench run: 195,773 Heap/LOCK records for
    /// 200,000 attempts, 11 % of the WAL). What they guarded holds without them: a batch creates its tenants' rows
    /// first, under their locks, in the same transaction, and nothing deletes a tenant. The transitions keep
    /// theirs: a declaration or decision writes its tenant's row anyway.
    static let v13: SQL = """
        ALTER TABLE processed_events DROP CONSTRAINT processed_events_tenant_id_fkey;
        ALTER TABLE usage_windows DROP CONSTRAINT usage_windows_tenant_id_fkey;
        ALTER TABLE attempt_resolutions DROP CONSTRAINT attempt_resolutions_tenant_id_fkey;
        ALTER TABLE threshold_notices DROP CONSTRAINT threshold_notices_tenant_id_fkey;
        """

    /// Issue 23: an attempt keeps the facts its verdict was decided from, not the verdict's text (~500 of the
    /// ~900 bytes an attempt stored), and its fingerprint as 32 bytes, not 64 hex digits. The verdict's bytes are
    /// rebuilt by its own encoder (`VerdictFacts`, encoding 1), and the ledger keeps facts only when they rebuild
    /// exactly what it published; any other verdict (a 400 with field errors) keeps its text. `outputs` holds the
    /// outputs after the verdict (threshold notices), NULL when there are none. Rows written before keep their text
    /// and hex fingerprint and are answered from them until `prune` removes them: no table rewrite and no scan (the
    /// columns come without constraints, each constraint is added `NOT VALID`: rows before satisfy it, and it holds
    /// for every row written from now on). Each row of facts keeps `verdict_digest`, 8 bytes of the SHA-256 of the
    /// verdict's bytes, checked on every rebuild: a later encoder that would answer other bytes is refused.
    ///
    /// The `processed_events_bookings` index goes: no query reads it (the reconciler scans every booking; a
    /// batch finds its attempts by primary key), and each booked attempt paid for an entry.
    static let v14: SQL = """
        ALTER TABLE processed_events ALTER COLUMN fingerprint DROP NOT NULL,
            ALTER COLUMN outputs DROP NOT NULL,
            ADD COLUMN fingerprint_sha256 bytea,
            ADD COLUMN verdict_encoding smallint,
            ADD COLUMN verdict_status smallint,
            ADD COLUMN verdict_code text,
            ADD COLUMN verdict_reason text,
            ADD COLUMN verdict_environment text,
            ADD COLUMN verdict_rail text,
            ADD COLUMN verdict_currency text,
            ADD COLUMN verdict_amount_micros bigint,
            ADD COLUMN verdict_window text,
            ADD COLUMN verdict_used_micros bigint,
            ADD COLUMN verdict_max_now_micros bigint,
            ADD COLUMN verdict_retry_at timestamptz,
            ADD COLUMN ceiling_per_tx_micros bigint,
            ADD COLUMN ceiling_daily_micros bigint,
            ADD COLUMN ceiling_monthly_micros bigint,
            ADD COLUMN ceiling_disabled boolean,
            ADD COLUMN ceiling_override boolean,
            ADD COLUMN ceiling_expires_at timestamptz,
            ADD COLUMN decided_at timestamptz,
            ADD COLUMN verdict_digest bigint,
            ADD CONSTRAINT processed_events_fingerprint_sha256 CHECK (octet_length(fingerprint_sha256) = 32) NOT VALID,
            ADD CONSTRAINT processed_events_verdict_values CHECK (verdict_encoding > 0
                AND verdict_status BETWEEN 100 AND 599
                AND length(verdict_code) BETWEEN 1 AND 64 AND length(verdict_reason) BETWEEN 1 AND 128
                AND verdict_environment IN ('test', 'live')
                AND verdict_rail IN ('transfer', 'x402', 'acp', 'ap2', 'ucp', 'stream')
                AND length(verdict_currency) BETWEEN 1 AND 16 AND verdict_amount_micros >= 0
                AND verdict_window IN ('per_tx', 'daily', 'monthly') AND verdict_used_micros >= 0
                AND verdict_max_now_micros >= 0 AND ceiling_per_tx_micros > 0 AND ceiling_daily_micros > 0
                AND ceiling_monthly_micros > 0) NOT VALID,
            ADD CONSTRAINT processed_events_one_fingerprint
                CHECK ((fingerprint IS NULL) <> (fingerprint_sha256 IS NULL)) NOT VALID,
            ADD CONSTRAINT processed_events_verdict_kept
                CHECK (outputs IS NOT NULL OR verdict_encoding IS NOT NULL) NOT VALID,
            ADD CONSTRAINT processed_events_verdict_facts
                CHECK (verdict_encoding IS NULL OR (event_type = 'transaction.attempted' AND verdict_status IS NOT NULL
                    AND ceiling_per_tx_micros IS NOT NULL AND ceiling_daily_micros IS NOT NULL
                    AND ceiling_monthly_micros IS NOT NULL AND ceiling_disabled IS NOT NULL
                    AND ceiling_override IS NOT NULL AND decided_at IS NOT NULL
                    AND verdict_digest IS NOT NULL)) NOT VALID;
        DROP INDEX IF EXISTS processed_events_bookings;
        """
}

extension Schema {
    /// Issue 23: a row of facts leaves out what the row already says (encoding 2, `RowForm`): its `event_type`
    /// (a row of encoding 2 is an attempt), `replay_micros` when it equals `booked_micros`, `booked_day` when it is
    /// the UTC day of `occurred_at`, the verdict's amount when it equals the replayed amount, its environment when
    /// that is `live` and there is a replayed amount, and the ceiling's columns when the ceiling is the beta
    /// defaults without an override (pinned in `RowForm.elidedCeiling`). About 75 of a row's 265 bytes.
    ///
    /// Catalog changes only, as in migration 14: dropping `NOT NULL` rewrites nothing, and the new constraints are
    /// `NOT VALID` (rows before are encoding 1 or text and satisfy them). Two constraints are replaced: migration 1's
    /// unnamed pairing of `booked_micros` with `booked_day` (found by its definition, as migration 7 finds one) and
    /// the one on facts, now one rule per encoding. (A `CHECK` passes when it is NULL, so each comparison with a
    /// column that may be NULL says what NULL means.)
    static let v15: SQL = """
        DO $$
        DECLARE c text;
        BEGIN
            SELECT conname INTO STRICT c FROM pg_constraint
            WHERE conrelid = 'processed_events'::regclass AND contype = 'c'
              AND pg_get_constraintdef(oid) = 'CHECK (((booked_micros IS NULL) = (booked_day IS NULL)))';
            EXECUTE format('ALTER TABLE processed_events DROP CONSTRAINT %I', c);
        END $$;
        ALTER TABLE processed_events ALTER COLUMN event_type DROP NOT NULL,
            ADD CONSTRAINT processed_events_booked_day CHECK ((booked_micros IS NULL) = (booked_day IS NULL)
                OR (booked_micros IS NOT NULL AND occurred_at IS NOT NULL AND verdict_encoding IS NOT DISTINCT FROM 2))
                NOT VALID,
            DROP CONSTRAINT processed_events_verdict_facts,
            ADD CONSTRAINT processed_events_type_known
                CHECK (event_type IS NOT NULL OR verdict_encoding IS NOT DISTINCT FROM 2) NOT VALID,
            ADD CONSTRAINT processed_events_verdict_facts
                CHECK (verdict_encoding IS NULL OR (verdict_status IS NOT NULL AND decided_at IS NOT NULL
                    AND verdict_digest IS NOT NULL AND CASE verdict_encoding
                    WHEN 1 THEN event_type IS NOT DISTINCT FROM 'transaction.attempted' AND ceiling_per_tx_micros IS NOT NULL
                        AND ceiling_daily_micros IS NOT NULL AND ceiling_monthly_micros IS NOT NULL
                        AND ceiling_disabled IS NOT NULL AND ceiling_override IS NOT NULL
                    WHEN 2 THEN event_type IS NULL AND (num_nulls(ceiling_per_tx_micros, ceiling_daily_micros,
                        ceiling_monthly_micros, ceiling_disabled, ceiling_override) = 0
                        OR num_nonnulls(ceiling_per_tx_micros, ceiling_daily_micros, ceiling_monthly_micros,
                            ceiling_disabled, ceiling_override, ceiling_expires_at) = 0)
                    ELSE false END)) NOT VALID;
        """
}
