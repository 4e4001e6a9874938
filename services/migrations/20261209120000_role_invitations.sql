-- migrate:up
-- Invitations to a role in another alliance (跨联盟角色邀请). A tenant grants roles directly
-- only to accounts it owns (home tenant) or that already hold a role there; anyone else (an
-- SOE's staff working in several districts) must accept an invitation, signed in as itself.
CREATE TABLE role_invitations (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    account_id      uuid NOT NULL REFERENCES accounts (id),
    role            text NOT NULL CHECK (role IN ('alliance_admin', 'org_admin', 'member', 'auditor')),
    organization_id uuid,
    invited_by      uuid NOT NULL REFERENCES accounts (id),
    status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    answered_at     timestamptz,
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CHECK (role NOT IN ('org_admin', 'member') OR organization_id IS NOT NULL),
    CHECK ((status = 'PENDING') = (answered_at IS NULL)),
    CHECK (expires_at > created_at)
);
-- One open invitation per tenant, account and role; answered ones stay as the record.
CREATE UNIQUE INDEX role_invitations_pending ON role_invitations (tenant_id, account_id, role)
    WHERE status = 'PENDING';
CREATE INDEX role_invitations_account ON role_invitations (account_id, status);
CREATE INDEX role_invitations_tenant ON role_invitations (tenant_id, id);

-- Never deleted; the only change is the invitee's answer.
REVOKE DELETE, UPDATE ON role_invitations FROM alliance_app;
GRANT UPDATE (status, answered_at) ON role_invitations TO alliance_app;

-- Two parties see an invitation: the inviting tenant, and the invited account from whichever
-- tenant it is signed in to (it may hold no role in the inviting tenant yet). Only the
-- inviting tenant creates one; only the invitee answers it, and only while it is open.
ALTER TABLE role_invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY inviting_tenant_or_invitee ON role_invitations FOR SELECT
    USING (tenant_id = app_tenant() OR account_id = app_account());
CREATE POLICY inviting_tenant_creates ON role_invitations FOR INSERT
    WITH CHECK (tenant_id = app_tenant() AND invited_by = app_account());
CREATE POLICY invitee_answers ON role_invitations FOR UPDATE
    USING (account_id = app_account() AND status = 'PENDING')
    WITH CHECK (account_id = app_account());

-- migrate:down
DROP TABLE role_invitations;
