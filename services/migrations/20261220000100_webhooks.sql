-- migrate:up
-- Webhooks (事件推送): endpoints per API key, the deliveries the ``webhooks`` consumer records,
-- and the delivery log the ``webhook-sender`` job writes as it sends.

-- A tenant's webhook rules, kept as a history (as partner_settings): the newest row holds.
-- No row: HTTPS required, private addresses refused.
CREATE TABLE webhook_settings (
    id                      uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id               uuid NOT NULL REFERENCES alliances (id),
    allow_private_addresses boolean NOT NULL DEFAULT false,
    require_https           boolean NOT NULL DEFAULT true,
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_settings_newest ON webhook_settings (tenant_id, id DESC);
REVOKE UPDATE, DELETE ON webhook_settings FROM alliance_app;

-- The secret is kept as it was issued: it must be recovered to sign (HMAC), so a hash would
-- not do. Only the application role reads this table, row-level security keeps it to its
-- tenant, and no query or API returns it after it was shown once.
CREATE TABLE webhook_endpoints (
    id                    uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id             uuid NOT NULL REFERENCES alliances (id),
    api_key_id            uuid NOT NULL REFERENCES api_keys (id),
    url                   text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2000),
    event_types           text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
    mode                  text NOT NULL CHECK (mode IN ('STRUCTURED', 'BINARY')),
    secret                bytea NOT NULL,
    previous_secret       bytea,
    previous_secret_until timestamptz,
    enabled               boolean NOT NULL DEFAULT true,
    consecutive_failures  integer NOT NULL DEFAULT 0,
    disabled_at           timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, api_key_id);

-- One event for one endpoint. ``seq`` is the order the consumer recorded them in, which is
-- the order of each aggregate's events (one Kafka partition per aggregate id); only the
-- oldest pending delivery of an (endpoint, aggregate) is ever sent.
CREATE TABLE webhook_deliveries (
    id                 uuid PRIMARY KEY DEFAULT uuidv7(),
    seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    tenant_id          uuid NOT NULL REFERENCES alliances (id),
    endpoint_id        uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id           uuid NOT NULL,
    event_type         text NOT NULL,
    aggregate_key      text NOT NULL,
    envelope           jsonb NOT NULL,
    status             text NOT NULL DEFAULT 'PENDING'
                       CHECK (status IN ('PENDING', 'SUCCEEDED', 'DEAD', 'WITHHELD')),
    attempts           integer NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    leased_until       timestamptz,
    last_response_code integer,
    created_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz
);
CREATE INDEX webhook_deliveries_heads ON webhook_deliveries (endpoint_id, aggregate_key, seq)
    WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, endpoint_id, created_at);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE status <> 'PENDING';

-- The delivery log: one row per attempt.
CREATE TABLE webhook_attempts (
    id            uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id     uuid NOT NULL REFERENCES alliances (id),
    delivery_id   uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt       integer NOT NULL CHECK (attempt >= 1),
    request       jsonb NOT NULL,  -- url, headers and body as sent
    response_code integer,
    duration_ms   double precision NOT NULL,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
CREATE INDEX webhook_attempts_created ON webhook_attempts (created_at);

ALTER TABLE webhook_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_settings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_attempts
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
REVOKE UPDATE, DELETE ON webhook_attempts FROM alliance_app;

-- The sender's one look across tenants: lease the due heads (the oldest pending delivery of
-- each enabled endpoint and aggregate) for ``p_lease_seconds``. A leased head stays pending,
-- so the next event of its aggregate waits for it; SKIP LOCKED and the lease let several
-- senders share the work. Each leased delivery is then handled in its tenant's scope.
CREATE FUNCTION webhook_lease_due(p_limit integer, p_lease_seconds double precision)
RETURNS TABLE (id uuid, tenant_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
    WITH heads AS (
        SELECT DISTINCT ON (d.endpoint_id, d.aggregate_key) d.id
          FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
         WHERE d.status = 'PENDING'
         ORDER BY d.endpoint_id, d.aggregate_key, d.seq
    ), due AS (
        SELECT d.id FROM webhook_deliveries d JOIN heads h ON h.id = d.id
         WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
           AND (d.leased_until IS NULL OR d.leased_until < now())
         ORDER BY d.next_attempt_at LIMIT p_limit
           FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries w SET leased_until = now() + make_interval(secs => p_lease_seconds)
      FROM due WHERE w.id = due.id
    RETURNING w.id, w.tenant_id
$$;

-- The log's retention: finished deliveries and attempts older than the kept time go.
CREATE FUNCTION webhook_prune(p_keep_seconds double precision) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
    WITH gone_attempts AS (
        DELETE FROM webhook_attempts WHERE created_at < now() - make_interval(secs => p_keep_seconds)
        RETURNING 1
    ), gone AS (
        DELETE FROM webhook_deliveries
         WHERE status <> 'PENDING' AND finished_at < now() - make_interval(secs => p_keep_seconds)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone_attempts) + (SELECT count(*) FROM gone)
$$;
REVOKE ALL ON FUNCTION webhook_lease_due(integer, double precision), webhook_prune(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_lease_due(integer, double precision), webhook_prune(double precision)
    TO alliance_app;

-- migrate:down
DROP FUNCTION webhook_prune(double precision);
DROP FUNCTION webhook_lease_due(integer, double precision);
DROP TABLE webhook_attempts, webhook_deliveries, webhook_endpoints, webhook_settings;
