-- migrate:up
-- The alliance's activity feed (联盟动态): one row per event, written by the `activity`
-- consumer (idempotent through the inbox), read by members.
CREATE TABLE activity (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES alliances (id),
    event_id    uuid NOT NULL UNIQUE,
    event_type  text NOT NULL,
    subject     text NOT NULL,
    actor       text,
    summary     jsonb NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_tenant_id ON activity (tenant_id, id DESC);
REVOKE UPDATE ON activity FROM alliance_app;

ALTER TABLE activity ENABLE ROW LEVEL SECURITY;
ALTER TABLE activity FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON activity
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- migrate:down
DROP TABLE activity;
