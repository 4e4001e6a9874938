-- migrate:up
-- Open WebSocket sessions are re-checked against the database while they last (see
-- services/gateway/sessions.py). One call answers for every session of a gateway process,
-- whatever tenants they belong to, so it runs as the owner (row-level security would limit
-- it to one tenant) and exposes only what the check needs: an account's roles and
-- organisations in a tenant, and whether an API key is still active.
CREATE FUNCTION session_standing(p_tenants uuid[], p_accounts uuid[], p_keys uuid[])
RETURNS TABLE (tenant_id uuid, account_id uuid, api_key_id uuid, roles text[],
               organization_ids uuid[], key_active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT s.tenant_id, s.account_id, s.api_key_id,
          ARRAY(SELECT DISTINCT r.role FROM role_assignments r
                 WHERE r.tenant_id = s.tenant_id AND r.account_id = s.account_id),
          ARRAY(SELECT DISTINCT r.organization_id FROM role_assignments r
                 WHERE r.tenant_id = s.tenant_id AND r.account_id = s.account_id
                   AND r.organization_id IS NOT NULL),
          s.api_key_id IS NULL OR EXISTS (
              SELECT 1 FROM api_keys k
               WHERE k.id = s.api_key_id AND k.tenant_id = s.tenant_id
                 AND k.account_id = s.account_id AND k.revoked_at IS NULL)
     FROM unnest(p_tenants, p_accounts, p_keys) AS s (tenant_id, account_id, api_key_id) $$;

-- migrate:down
DROP FUNCTION session_standing(uuid[], uuid[], uuid[]);
