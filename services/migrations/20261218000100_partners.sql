-- migrate:up
-- Partner access (合作系统接入): persisted operations per API key, limits per key with
-- defaults per tenant, and the token buckets that enforce them across gateway replicas.

-- A tenant's defaults, kept as a history: the newest row holds (no row: the platform's).
CREATE TABLE partner_settings (
    id                  uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id           uuid NOT NULL REFERENCES alliances (id),
    allow_list_only     boolean NOT NULL DEFAULT false,
    requests_per_minute integer NOT NULL DEFAULT 600 CHECK (requests_per_minute BETWEEN 1 AND 1000000),
    burst               integer NOT NULL DEFAULT 100 CHECK (burst BETWEEN 1 AND 1000000),
    cost_per_minute     integer NOT NULL DEFAULT 100000 CHECK (cost_per_minute BETWEEN 1 AND 1000000000),
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_settings_newest ON partner_settings (tenant_id, id DESC);
REVOKE UPDATE, DELETE ON partner_settings FROM alliance_app;

CREATE TABLE partner_key_limits (
    api_key_id          uuid PRIMARY KEY REFERENCES api_keys (id),
    tenant_id           uuid NOT NULL REFERENCES alliances (id),
    requests_per_minute integer CHECK (requests_per_minute BETWEEN 1 AND 1000000),
    burst               integer CHECK (burst BETWEEN 1 AND 1000000),
    cost_per_minute     integer CHECK (cost_per_minute BETWEEN 1 AND 1000000000),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- An operation a key may run, stored by the SHA-256 (hex) of its text. A key with at least
-- one operation is bound to its list.
CREATE TABLE persisted_operations (
    id          uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id   uuid NOT NULL REFERENCES alliances (id),
    api_key_id  uuid NOT NULL REFERENCES api_keys (id),
    sha256      text NOT NULL,  -- hex SHA-256 of the document, computed by the service
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    version     integer NOT NULL CHECK (version >= 1),
    document    text NOT NULL,
    cost        integer NOT NULL CHECK (cost >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT persisted_operations_key_hash UNIQUE (api_key_id, sha256),
    CONSTRAINT persisted_operations_key_name_version UNIQUE (api_key_id, name, version)
);
CREATE INDEX persisted_operations_tenant ON persisted_operations (tenant_id, api_key_id, created_at);

-- Two token buckets per key: requests and cost. Refilled lazily from the time of the last
-- request, so one row update per request is all the bookkeeping.
CREATE TABLE partner_buckets (
    api_key_id   uuid PRIMARY KEY REFERENCES api_keys (id),
    tenant_id    uuid NOT NULL REFERENCES alliances (id),
    requests     double precision NOT NULL,
    cost         double precision NOT NULL,
    refreshed_at timestamptz NOT NULL
);

ALTER TABLE partner_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE partner_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON partner_settings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE partner_key_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE partner_key_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON partner_key_limits
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE persisted_operations ENABLE ROW LEVEL SECURITY;
ALTER TABLE persisted_operations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON persisted_operations
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE partner_buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE partner_buckets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON partner_buckets
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- One call per partner request, before anything runs: find the persisted operation (by
-- hash), decide whether the key may run what it sent, and take one request and the
-- operation's cost from its buckets. One statement, so one round trip; the bucket row lock
-- orders one key's concurrent requests and no other key's. It scopes itself to the key's
-- tenant, so row-level security holds inside it as everywhere else.
--
-- verdict: OK, NOT_FOUND (unknown hash, no text), NOT_ALLOWED (bound key or allow-list-only
-- tenant, text not on the list), LIMITED (a bucket is short: retry_after seconds).
CREATE FUNCTION partner_admit(p_tenant uuid, p_key uuid, p_sha256 text, p_has_text boolean, p_cost integer)
RETURNS TABLE (verdict text, document text, cost integer, request_limit integer,
               remaining integer, reset_seconds double precision, retry_after double precision)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
$$
DECLARE
    s        partner_settings%ROWTYPE;
    k        partner_key_limits%ROWTYPE;
    op       persisted_operations%ROWTYPE;
    b        partner_buckets%ROWTYPE;
    rate     double precision;
    cap      double precision;
    cost_cap double precision;
    elapsed  double precision;
    bound    boolean;
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    SELECT * INTO s FROM partner_settings WHERE tenant_id = p_tenant ORDER BY id DESC LIMIT 1;
    IF NOT FOUND THEN
        s.allow_list_only := false; s.requests_per_minute := 600; s.burst := 100;
        s.cost_per_minute := 100000;
    END IF;
    SELECT * INTO k FROM partner_key_limits WHERE api_key_id = p_key;
    rate := coalesce(k.requests_per_minute, s.requests_per_minute) / 60.0;
    cap := coalesce(k.burst, s.burst);
    cost_cap := coalesce(k.cost_per_minute, s.cost_per_minute);
    cost := p_cost;
    IF p_sha256 IS NOT NULL THEN
        SELECT * INTO op FROM persisted_operations o WHERE o.api_key_id = p_key AND o.sha256 = p_sha256;
        IF FOUND THEN
            document := op.document;
            cost := op.cost;
        ELSIF NOT p_has_text THEN
            verdict := 'NOT_FOUND';
            RETURN NEXT;
            RETURN;
        ELSE
            bound := s.allow_list_only
                OR EXISTS (SELECT 1 FROM persisted_operations o WHERE o.api_key_id = p_key);
            IF bound THEN
                verdict := 'NOT_ALLOWED';
                RETURN NEXT;
                RETURN;
            END IF;
        END IF;
    END IF;
    request_limit := cap::integer;

    INSERT INTO partner_buckets AS pb (api_key_id, tenant_id, requests, cost, refreshed_at)
    VALUES (p_key, p_tenant, cap, cost_cap, clock_timestamp())
    ON CONFLICT (api_key_id) DO UPDATE SET api_key_id = pb.api_key_id
    RETURNING pb.* INTO b;
    elapsed := greatest(0, extract(epoch FROM clock_timestamp() - b.refreshed_at));
    b.requests := least(cap, b.requests + elapsed * rate);
    b.cost := least(cost_cap, b.cost + elapsed * cost_cap / 60.0);
    IF b.requests >= 1 AND b.cost >= cost THEN
        verdict := 'OK';
        b.requests := b.requests - 1;
        b.cost := b.cost - cost;
        retry_after := 0;
    ELSE
        verdict := 'LIMITED';
        retry_after := greatest(
            CASE WHEN b.requests >= 1 THEN 0 ELSE (1 - b.requests) / rate END,
            CASE WHEN b.cost >= cost THEN 0
                 ELSE (least(cost, cost_cap) - b.cost) / (cost_cap / 60.0) END);
    END IF;
    UPDATE partner_buckets SET requests = b.requests, cost = b.cost, refreshed_at = clock_timestamp()
     WHERE api_key_id = p_key;
    remaining := floor(b.requests)::integer;
    reset_seconds := (cap - b.requests) / rate;
    RETURN NEXT;
END
$$;

-- migrate:down
DROP FUNCTION partner_admit(uuid, uuid, text, boolean, integer);
DROP TABLE partner_buckets, persisted_operations, partner_key_limits, partner_settings;
