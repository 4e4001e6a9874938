-- migrate:up
-- Tenants, organisations, accounts, roles, API keys and the audit trail.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS citext;

-- The tenant and the account of the current transaction, set with SET LOCAL / set_config(…, true).
CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
CREATE FUNCTION app_account() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.account_id', true), '')::uuid $$;

-- The tenant registry (区域化党建联盟). Not row-level secured: authentication must resolve a
-- tenant before one is set, and a row holds only the district's public name and region code.
CREATE TABLE alliances (
    id          uuid PRIMARY KEY DEFAULT uuidv7(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    region_code text NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
REVOKE INSERT, UPDATE, DELETE ON alliances FROM alliance_app;

-- People and partner systems. An account belongs to a home tenant (its login is unique
-- there) and may hold roles in several tenants (an SOE's staff in several districts).
-- Not row-level secured; the GraphQL layer exposes an account only through a tenant's roles.
CREATE TABLE accounts (
    id             uuid PRIMARY KEY DEFAULT uuidv7(),
    home_tenant_id uuid NOT NULL REFERENCES alliances (id),
    login          citext NOT NULL CHECK (char_length(login) BETWEEN 2 AND 64),
    display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
    phone        text CHECK (phone ~ '^\+?[0-9][0-9 -]{5,19}$'),
    kind         text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'partner')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (home_tenant_id, login)
);
CREATE INDEX accounts_login ON accounts (login);
REVOKE DELETE ON accounts FROM alliance_app;

CREATE TABLE organizations (
    id            uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id     uuid NOT NULL REFERENCES alliances (id),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    kind          text NOT NULL CHECK (kind IN (
                      'DISTRICT_COMMITTEE', 'STREET_COMMITTEE', 'COMMUNITY', 'STATIONED_UNIT', 'SOE',
                      'PRIVATE_ENTERPRISE', 'SOCIAL_ORGANIZATION', 'SCHOOL', 'AGENCY')),
    parent_id     uuid,
    credit_code   text CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    contact_name  text CHECK (char_length(contact_name) <= 100),
    contact_phone text CHECK (contact_phone ~ '^\+?[0-9][0-9 -]{5,19}$'),
    star_rating   smallint CHECK (star_rating BETWEEN 1 AND 5),
    archived_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES organizations (tenant_id, id),
    CHECK (parent_id IS DISTINCT FROM id),
    -- 星级创评 applies to the "two new" organisations only.
    CHECK (star_rating IS NULL OR kind IN ('PRIVATE_ENTERPRISE', 'SOCIAL_ORGANIZATION'))
);
CREATE UNIQUE INDEX organizations_credit_code_key ON organizations (tenant_id, credit_code)
    WHERE credit_code IS NOT NULL;
CREATE INDEX organizations_tenant_kind ON organizations (tenant_id, kind, id);
CREATE INDEX organizations_tenant_parent ON organizations (tenant_id, parent_id, id);
CREATE INDEX organizations_name_trgm ON organizations USING gin (name gin_trgm_ops);

-- No cycles in the district → street → community tree, even under concurrent moves:
-- hierarchy changes in one tenant take a transaction lock, then walk up from the new parent.
CREATE FUNCTION organizations_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('organizations-tree:' || NEW.tenant_id::text, 0));
    IF EXISTS (
        WITH RECURSIVE up (id, parent_id) AS (
            SELECT o.id, o.parent_id FROM organizations o WHERE o.id = NEW.parent_id
            UNION
            SELECT o.id, o.parent_id FROM organizations o JOIN up ON o.id = up.parent_id
        )
        SELECT 1 FROM up WHERE up.id = NEW.id
    ) THEN
        RAISE EXCEPTION 'organization % would be its own ancestor', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'organizations_no_cycle';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER organizations_no_cycle BEFORE INSERT OR UPDATE OF parent_id ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_no_cycle();

CREATE TABLE role_assignments (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    account_id      uuid NOT NULL REFERENCES accounts (id),
    role            text NOT NULL CHECK (role IN ('alliance_admin', 'org_admin', 'member', 'auditor', 'partner')),
    organization_id uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, account_id, role),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CHECK (role NOT IN ('org_admin', 'member') OR organization_id IS NOT NULL)
);
CREATE INDEX role_assignments_account ON role_assignments (account_id);

-- Role changes reach every gateway's Casbin enforcer through this notification (on commit).
CREATE FUNCTION role_assignments_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('alliance_roles', COALESCE(NEW.tenant_id, OLD.tenant_id)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER role_assignments_notify AFTER INSERT OR UPDATE OR DELETE ON role_assignments
    FOR EACH ROW EXECUTE FUNCTION role_assignments_notify();

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id    uuid NOT NULL REFERENCES alliances (id),
    account_id   uuid NOT NULL REFERENCES accounts (id),
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    prefix       text NOT NULL UNIQUE,
    secret_hash  bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- The gateway must find a key before it knows the tenant: these two functions run as the
-- owner and expose only what authentication needs.
CREATE FUNCTION api_key_for_prefix(p_prefix text)
RETURNS TABLE (id uuid, tenant_id uuid, account_id uuid, login text, secret_hash bytea,
               revoked_at timestamptz, recently_used boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT k.id, k.tenant_id, k.account_id, a.login::text, k.secret_hash, k.revoked_at,
          k.last_used_at >= now() - interval '1 minute'
   FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.prefix = p_prefix $$;
CREATE FUNCTION api_key_touch(p_id uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS
$$ UPDATE api_keys SET last_used_at = now()
   WHERE id = p_id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') $$;

-- 痕迹化管理: append-only. The app role may insert and read, never change or delete.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES alliances (id),
    actor_id    uuid,
    actor_login text,
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    changes     jsonb NOT NULL DEFAULT '{}',
    request_id  text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, id DESC);
CREATE INDEX audit_log_tenant_entity ON audit_log (tenant_id, entity_type, entity_id);
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM alliance_app;
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Row-level security: each tenant table shows and accepts only the transaction's tenant.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE role_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_assignments FORCE ROW LEVEL SECURITY;
-- An account also sees its own roles in other tenants (the viewer's tenant list).
CREATE POLICY tenant_or_own ON role_assignments FOR SELECT
    USING (tenant_id = app_tenant() OR account_id = app_account());
CREATE POLICY tenant_write ON role_assignments FOR ALL
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- migrate:down
DROP TABLE audit_log, api_keys, role_assignments, organizations, accounts, alliances;
DROP FUNCTION audit_log_append_only(), role_assignments_notify(), organizations_no_cycle(),
    api_key_for_prefix(text), api_key_touch(uuid), app_tenant(), app_account();
