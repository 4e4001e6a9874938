-- migrate:up
-- "十联十共" locality–enterprise co-building (地企共建): a per-tenant catalogue of dimensions,
-- agreements between an SOE and a local Party organisation (versioned; each version signed by
-- both sides), projects with milestones, contributions (append-only) and two-way evaluations
-- (sealed). The rules that decide integrity hold here, whatever the application does.

-- The catalogue is data, never an enum: the district's official list is not published.
CREATE TABLE cobuilding_dimensions (
    id          uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id   uuid NOT NULL REFERENCES alliances (id),
    code        text NOT NULL CONSTRAINT cobuilding_dimensions_code_format
                CHECK (code ~ '^[A-Z][A-Z0-9_]{0,39}$'),
    name        text NOT NULL CONSTRAINT cobuilding_dimensions_name_length
                CHECK (char_length(name) BETWEEN 1 AND 50),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    position    integer NOT NULL DEFAULT 0 CONSTRAINT cobuilding_dimensions_position
                CHECK (position BETWEEN 0 AND 1000),
    retired_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    CONSTRAINT cobuilding_dimensions_code UNIQUE (tenant_id, code)
);

CREATE TABLE cobuilding_agreements (
    id                 uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id          uuid NOT NULL REFERENCES alliances (id),
    enterprise_org_id  uuid NOT NULL,
    local_org_id       uuid NOT NULL,
    -- DRAFT until a version carries both sides' signatures; ACTIVE / EXPIRED are derived
    -- from the signed version's term (see cobuilding_agreement_state below).
    status             text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'SIGNED', 'TERMINATED')),
    latest_version     integer NOT NULL DEFAULT 1 CHECK (latest_version >= 1),
    signed_version     integer CHECK (signed_version BETWEEN 1 AND latest_version),
    termination_reason text CHECK (char_length(termination_reason) BETWEEN 1 AND 1000),
    terminated_at      timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, enterprise_org_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, local_org_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT cobuilding_agreements_parties CHECK (enterprise_org_id <> local_org_id),
    CONSTRAINT cobuilding_agreements_signed CHECK (
        (status = 'DRAFT') = (signed_version IS NULL)),
    CONSTRAINT cobuilding_agreements_terminated CHECK (
        (status = 'TERMINATED') = (termination_reason IS NOT NULL AND terminated_at IS NOT NULL))
);
CREATE INDEX cobuilding_agreements_enterprise ON cobuilding_agreements (tenant_id, enterprise_org_id, id);
CREATE INDEX cobuilding_agreements_local ON cobuilding_agreements (tenant_id, local_org_id, id);

-- The parties' kinds: an SOE on one side, a street, community or district committee on the other.
CREATE FUNCTION cobuilding_agreements_parties_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    enterprise_kind text;
    local_kind text;
BEGIN
    SELECT kind INTO enterprise_kind FROM organizations WHERE id = NEW.enterprise_org_id;
    SELECT kind INTO local_kind FROM organizations WHERE id = NEW.local_org_id;
    IF enterprise_kind IS DISTINCT FROM 'SOE' THEN
        RAISE EXCEPTION 'the enterprise party is not a state-owned enterprise'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cobuilding_agreements_enterprise_soe';
    END IF;
    IF local_kind IS NULL OR local_kind NOT IN ('STREET_COMMITTEE', 'COMMUNITY', 'DISTRICT_COMMITTEE') THEN
        RAISE EXCEPTION 'the local party is not a street, community or district committee'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cobuilding_agreements_local_kind';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cobuilding_agreements_parties_check BEFORE INSERT ON cobuilding_agreements
    FOR EACH ROW EXECUTE FUNCTION cobuilding_agreements_parties_check();

-- Every edit is a new version; old versions stay as they were (only their signing time is set).
CREATE TABLE cobuilding_agreement_versions (
    id           uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id    uuid NOT NULL REFERENCES alliances (id),
    agreement_id uuid NOT NULL,
    version      integer NOT NULL CHECK (version >= 1),
    title        text NOT NULL CONSTRAINT cobuilding_versions_title CHECK (char_length(title) BETWEEN 1 AND 200),
    start_date   date NOT NULL,
    end_date     date NOT NULL,
    signed_at    timestamptz,
    created_by   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cobuilding_versions_number UNIQUE (tenant_id, agreement_id, version),
    FOREIGN KEY (tenant_id, agreement_id) REFERENCES cobuilding_agreements (tenant_id, id),
    CONSTRAINT cobuilding_versions_term CHECK (end_date >= start_date),
    CONSTRAINT cobuilding_versions_term_length CHECK (end_date < start_date + 3653)
);
CREATE INDEX cobuilding_versions_title_trgm ON cobuilding_agreement_versions USING gin (title gin_trgm_ops);

-- Signed once: a version's signing time is never changed again, and nothing else of it is.
CREATE FUNCTION cobuilding_versions_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL OR NEW.signed_at IS NULL
       OR (NEW.title, NEW.start_date, NEW.end_date, NEW.version, NEW.agreement_id)
          IS DISTINCT FROM (OLD.title, OLD.start_date, OLD.end_date, OLD.version, OLD.agreement_id) THEN
        RAISE EXCEPTION 'agreement version % is sealed', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cobuilding_versions_sealed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cobuilding_versions_sealed BEFORE UPDATE ON cobuilding_agreement_versions
    FOR EACH ROW EXECUTE FUNCTION cobuilding_versions_sealed();

CREATE TABLE cobuilding_commitments (
    id                    uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id             uuid NOT NULL REFERENCES alliances (id),
    agreement_id          uuid NOT NULL,
    version               integer NOT NULL,
    dimension_id          uuid NOT NULL,
    enterprise_commitment text NOT NULL CONSTRAINT cobuilding_commitments_enterprise_text
                          CHECK (char_length(enterprise_commitment) BETWEEN 1 AND 2000),
    local_commitment      text NOT NULL CONSTRAINT cobuilding_commitments_local_text
                          CHECK (char_length(local_commitment) BETWEEN 1 AND 2000),
    -- [{"name": text, "value": "decimal as text", "unit": text or null}]
    targets               jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(targets) = 'array'),
    FOREIGN KEY (tenant_id, agreement_id, version)
        REFERENCES cobuilding_agreement_versions (tenant_id, agreement_id, version),
    FOREIGN KEY (tenant_id, dimension_id) REFERENCES cobuilding_dimensions (tenant_id, id),
    CONSTRAINT cobuilding_commitments_dimension UNIQUE (agreement_id, version, dimension_id)
);

CREATE FUNCTION cobuilding_dimension_active(p_dimension uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT retired_at IS NULL FROM cobuilding_dimensions WHERE id = p_dimension), false)
$$;

CREATE FUNCTION cobuilding_commitments_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT cobuilding_dimension_active(NEW.dimension_id) THEN
        RAISE EXCEPTION 'dimension % is retired', NEW.dimension_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cobuilding_commitments_active_dimension';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cobuilding_commitments_check BEFORE INSERT ON cobuilding_commitments
    FOR EACH ROW EXECUTE FUNCTION cobuilding_commitments_check();

-- One signature per side and version, and one account signs only one side of a version.
CREATE TABLE cobuilding_signatures (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    agreement_id    uuid NOT NULL,
    version         integer NOT NULL,
    side            text NOT NULL CHECK (side IN ('ENTERPRISE', 'LOCAL')),
    organization_id uuid NOT NULL,
    account_id      uuid REFERENCES accounts (id),
    login           text NOT NULL,
    signed_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, agreement_id, version)
        REFERENCES cobuilding_agreement_versions (tenant_id, agreement_id, version),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT cobuilding_signatures_once UNIQUE (agreement_id, version, side),
    CONSTRAINT cobuilding_signatures_one_side UNIQUE (agreement_id, version, account_id)
);

CREATE TABLE cobuilding_projects (
    id                  uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id           uuid NOT NULL REFERENCES alliances (id),
    agreement_id        uuid NOT NULL,
    dimension_id        uuid NOT NULL,
    title               text NOT NULL CONSTRAINT cobuilding_projects_title CHECK (char_length(title) BETWEEN 1 AND 200),
    lead_org_id         uuid NOT NULL,
    participant_org_ids uuid[] NOT NULL DEFAULT '{}'
                        CONSTRAINT cobuilding_projects_participants CHECK (cardinality(participant_org_ids) <= 50),
    budget              numeric CONSTRAINT cobuilding_projects_budget
                        CHECK (budget >= 0 AND scale(budget) <= 2 AND budget <= 100000000),
    start_date          date NOT NULL,
    end_date            date NOT NULL,
    status              text NOT NULL DEFAULT 'PLANNED' CHECK (status IN ('PLANNED', 'RUNNING', 'DONE', 'DROPPED')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, agreement_id) REFERENCES cobuilding_agreements (tenant_id, id),
    FOREIGN KEY (tenant_id, dimension_id) REFERENCES cobuilding_dimensions (tenant_id, id),
    FOREIGN KEY (tenant_id, lead_org_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT cobuilding_projects_dates CHECK (end_date >= start_date)
);
CREATE INDEX cobuilding_projects_agreement ON cobuilding_projects (tenant_id, agreement_id, id);

-- A project sits under a signed, running agreement, within its signed term and dimensions.
CREATE FUNCTION cobuilding_projects_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a record;
BEGIN
    SELECT ag.status, ag.signed_version, v.start_date, v.end_date INTO a
    FROM cobuilding_agreements ag
    LEFT JOIN cobuilding_agreement_versions v
           ON v.agreement_id = ag.id AND v.version = ag.signed_version
    WHERE ag.id = NEW.agreement_id;
    IF a.status IS DISTINCT FROM 'SIGNED' OR a.end_date < current_date THEN
        RAISE EXCEPTION 'the agreement is not signed and running'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cobuilding_projects_signed_agreement';
    END IF;
    IF NEW.start_date < a.start_date OR NEW.end_date > a.end_date THEN
        RAISE EXCEPTION 'the project lies outside the agreement''s term'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cobuilding_projects_within_term';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM cobuilding_commitments c
                   WHERE c.agreement_id = NEW.agreement_id AND c.version = a.signed_version
                     AND c.dimension_id = NEW.dimension_id) THEN
        RAISE EXCEPTION 'the agreement commits to no such dimension'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cobuilding_projects_committed_dimension';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cobuilding_projects_check BEFORE INSERT ON cobuilding_projects
    FOR EACH ROW EXECUTE FUNCTION cobuilding_projects_check();

CREATE TABLE cobuilding_milestones (
    id                 uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id          uuid NOT NULL REFERENCES alliances (id),
    project_id         uuid NOT NULL,
    title              text NOT NULL CONSTRAINT cobuilding_milestones_title CHECK (char_length(title) BETWEEN 1 AND 200),
    due_date           date NOT NULL,
    responsible_org_id uuid NOT NULL,
    -- The ledger task that follows the milestone up (三单制); its sign-off completes it.
    ledger_item_id     uuid,
    completed_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES cobuilding_projects (tenant_id, id),
    FOREIGN KEY (tenant_id, responsible_org_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX cobuilding_milestones_project ON cobuilding_milestones (tenant_id, project_id, due_date);

CREATE TABLE cobuilding_contributions (
    id                uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id         uuid NOT NULL REFERENCES alliances (id),
    project_id        uuid NOT NULL,
    organization_id   uuid NOT NULL,
    side              text NOT NULL CHECK (side IN ('ENTERPRISE', 'LOCAL')),
    kind              text NOT NULL CHECK (kind IN ('FUNDING', 'VOLUNTEER_HOURS', 'MATERIALS', 'VENUE', 'SERVICE', 'TRAINING')),
    -- Exact decimals (yuan for FUNDING): never a float, never more than two places.
    amount            numeric NOT NULL CONSTRAINT cobuilding_contributions_amount
                      CHECK (amount <> 0 AND scale(amount) <= 2 AND abs(amount) <= 100000000),
    unit              text NOT NULL CONSTRAINT cobuilding_contributions_unit CHECK (char_length(unit) BETWEEN 1 AND 20),
    resource_id       uuid,
    note              text CONSTRAINT cobuilding_contributions_note CHECK (char_length(note) <= 1000),
    -- A correction is a negative entry and says why.
    reason            text CONSTRAINT cobuilding_contributions_reason_length CHECK (char_length(reason) BETWEEN 1 AND 500),
    contributed_on    date NOT NULL,
    recorded_by_login text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES cobuilding_projects (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT cobuilding_contributions_resource FOREIGN KEY (tenant_id, resource_id)
        REFERENCES resources (tenant_id, id),
    CONSTRAINT cobuilding_contributions_correction CHECK (amount > 0 OR reason IS NOT NULL),
    CONSTRAINT cobuilding_contributions_funding_unit CHECK (kind <> 'FUNDING' OR unit = 'CNY')
);
CREATE INDEX cobuilding_contributions_project ON cobuilding_contributions (tenant_id, project_id, id);

CREATE TABLE cobuilding_evaluations (
    id                 uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id          uuid NOT NULL REFERENCES alliances (id),
    agreement_id       uuid NOT NULL,
    period             integer NOT NULL CONSTRAINT cobuilding_evaluations_period CHECK (period BETWEEN 2000 AND 2200),
    side               text NOT NULL CHECK (side IN ('ENTERPRISE', 'LOCAL')),
    organization_id    uuid NOT NULL,
    submitted_by       uuid REFERENCES accounts (id),
    submitted_by_login text NOT NULL,
    submitted_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, agreement_id) REFERENCES cobuilding_agreements (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT cobuilding_evaluations_once UNIQUE (agreement_id, period, side)
);

CREATE TABLE cobuilding_evaluation_scores (
    tenant_id     uuid NOT NULL REFERENCES alliances (id),
    evaluation_id uuid NOT NULL,
    dimension_id  uuid NOT NULL,
    score         smallint NOT NULL CONSTRAINT cobuilding_scores_range CHECK (score BETWEEN 1 AND 5),
    comment       text CONSTRAINT cobuilding_scores_comment CHECK (char_length(comment) <= 1000),
    PRIMARY KEY (evaluation_id, dimension_id),
    FOREIGN KEY (tenant_id, evaluation_id) REFERENCES cobuilding_evaluations (tenant_id, id),
    FOREIGN KEY (tenant_id, dimension_id) REFERENCES cobuilding_dimensions (tenant_id, id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cobuilding_dimensions', 'cobuilding_agreements', 'cobuilding_agreement_versions',
                             'cobuilding_commitments', 'cobuilding_signatures', 'cobuilding_projects',
                             'cobuilding_milestones', 'cobuilding_contributions', 'cobuilding_evaluations',
                             'cobuilding_evaluation_scores'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I'
                       ' USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())', t);
    END LOOP;
END
$$;

-- Nothing is deleted (痕迹化管理); signatures, contributions and evaluations are never changed.
REVOKE DELETE, TRUNCATE ON cobuilding_dimensions, cobuilding_agreements, cobuilding_agreement_versions,
    cobuilding_commitments, cobuilding_signatures, cobuilding_projects, cobuilding_milestones,
    cobuilding_contributions, cobuilding_evaluations, cobuilding_evaluation_scores FROM alliance_app;
REVOKE UPDATE ON cobuilding_commitments, cobuilding_signatures, cobuilding_contributions,
    cobuilding_evaluations, cobuilding_evaluation_scores FROM alliance_app;

-- migrate:down
DROP TABLE cobuilding_evaluation_scores, cobuilding_evaluations, cobuilding_contributions,
    cobuilding_milestones, cobuilding_projects, cobuilding_signatures, cobuilding_commitments,
    cobuilding_agreement_versions, cobuilding_agreements, cobuilding_dimensions;
DROP FUNCTION cobuilding_projects_check(), cobuilding_commitments_check(), cobuilding_dimension_active(uuid),
    cobuilding_versions_sealed(), cobuilding_agreements_parties_check();
