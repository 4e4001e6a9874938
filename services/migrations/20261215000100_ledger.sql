-- migrate:up
-- The three-lists ledger (三单制 工作台账): problem, task and responsibility items with
-- deadlines (时间节点) and sign-off by the level above (销号管理); the history of every step;
-- target responsibility letters (党建目标责任书); and the deadline notices already sent.
--
-- The rules hold in the database whatever the application does: a due date lies within the
-- item's year ±1, a percentage within 0–100, nobody signs off their own submission, one
-- item per (source, source id, key) and per import key, statuses carry their stamps.

-- "Today" for deadlines: the district's calendar day, whatever the server's time zone.
CREATE FUNCTION ledger_today() RETURNS date LANGUAGE sql STABLE AS
$$ SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date $$;

CREATE TABLE ledger_items (
    id                          uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id                   uuid NOT NULL REFERENCES alliances (id),
    list                        text NOT NULL CHECK (list IN ('PROBLEM', 'TASK', 'RESPONSIBILITY')),
    -- The organisation whose ledger holds the item, and the one that assigned it (it, or an
    -- ancestor's admin, signs it off).
    organization_id             uuid NOT NULL,
    assigning_organization_id   uuid NOT NULL,
    year                        integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    title                       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description                 text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
    source                      text NOT NULL DEFAULT 'OTHER' CHECK (source IN (
                                    'REVIEW', 'INSPECTION', 'COUNCIL_RESOLUTION', 'COBUILDING_MILESTONE',
                                    'PLAN', 'OTHER')),
    source_id                   uuid,
    source_key                  text CHECK (char_length(source_key) BETWEEN 1 AND 100),
    responsible_organization_id uuid NOT NULL,
    responsible_person          text CHECK (char_length(responsible_person) <= 100),
    supporting_organization_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(supporting_organization_ids) <= 50),
    -- 一岗双责: the post that holds a responsibility.
    holder_role                 text CHECK (char_length(holder_role) <= 100),
    due_date                    date NOT NULL,
    -- Bumped by every change of the due date: deadline notices are sent once per revision.
    due_revision                integer NOT NULL DEFAULT 0,
    status                      text NOT NULL DEFAULT 'OPEN'
                                CHECK (status IN ('OPEN', 'IN_PROGRESS', 'SUBMITTED', 'SIGNED_OFF', 'CANCELLED')),
    percent                     integer NOT NULL DEFAULT 0,
    evidence                    text CHECK (char_length(evidence) <= 5000),
    evidence_links              text[] NOT NULL DEFAULT '{}' CHECK (cardinality(evidence_links) <= 20),
    submitted_by                uuid REFERENCES accounts (id),
    submitted_at                timestamptz,
    signed_off_by               uuid REFERENCES accounts (id),
    signed_off_at               timestamptz,
    cancelled_at                timestamptz,
    import_key                  text CHECK (char_length(import_key) BETWEEN 1 AND 100),
    created_by                  uuid REFERENCES accounts (id),
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, assigning_organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, responsible_organization_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT ledger_items_due_date CHECK (
        due_date BETWEEN make_date(year - 1, 1, 1) AND make_date(year + 1, 12, 31)),
    CONSTRAINT ledger_items_percent CHECK (percent BETWEEN 0 AND 100),
    CONSTRAINT ledger_items_source_link CHECK (source_key IS NULL OR source_id IS NOT NULL),
    -- Nobody signs off their own submission.
    CONSTRAINT ledger_items_own_sign_off CHECK (signed_off_by IS NULL OR submitted_by IS NULL
                                                OR signed_off_by <> submitted_by),
    CONSTRAINT ledger_items_signed_off CHECK ((status = 'SIGNED_OFF') = (signed_off_at IS NOT NULL)),
    CONSTRAINT ledger_items_submitted CHECK (status NOT IN ('SUBMITTED', 'SIGNED_OFF') OR submitted_at IS NOT NULL),
    CONSTRAINT ledger_items_cancelled CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)),
    -- Work from another domain (a council resolution, a co-building milestone) is opened once.
    CONSTRAINT ledger_items_source_key UNIQUE (tenant_id, source, source_id, source_key),
    CONSTRAINT ledger_items_import_key UNIQUE (tenant_id, import_key)
);
CREATE INDEX ledger_items_tenant_org ON ledger_items (tenant_id, organization_id, year, id);
CREATE INDEX ledger_items_tenant_responsible ON ledger_items (tenant_id, responsible_organization_id, id);
CREATE INDEX ledger_items_tenant_year ON ledger_items (tenant_id, year, id);
CREATE INDEX ledger_items_open_due ON ledger_items (tenant_id, due_date)
    WHERE status IN ('OPEN', 'IN_PROGRESS', 'SUBMITTED');
CREATE INDEX ledger_items_title_trgm ON ledger_items USING gin (title gin_trgm_ops);

-- A task answers problems (a task may answer several; both in one tenant).
CREATE TABLE ledger_item_answers (
    tenant_id  uuid NOT NULL REFERENCES alliances (id),
    task_id    uuid NOT NULL,
    problem_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, task_id, problem_id),
    FOREIGN KEY (tenant_id, task_id) REFERENCES ledger_items (tenant_id, id),
    FOREIGN KEY (tenant_id, problem_id) REFERENCES ledger_items (tenant_id, id),
    CHECK (task_id <> problem_id)
);
CREATE INDEX ledger_item_answers_problem ON ledger_item_answers (tenant_id, problem_id);

-- Every step of an item: who, when and what (append-only; shown on the item).
CREATE TABLE ledger_item_steps (
    id          uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id   uuid NOT NULL REFERENCES alliances (id),
    item_id     uuid NOT NULL,
    action      text NOT NULL CHECK (action IN ('CREATED', 'PROGRESSED', 'SUBMITTED', 'SIGNED_OFF', 'RETURNED',
                                                'CANCELLED', 'DUE_DATE_CHANGED', 'IMPORTED')),
    status      text NOT NULL,
    note        text CHECK (char_length(note) <= 5000),
    percent     integer CHECK (percent BETWEEN 0 AND 100),
    due_date    date,
    actor_id    uuid REFERENCES accounts (id),
    actor_login text NOT NULL,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    FOREIGN KEY (tenant_id, item_id) REFERENCES ledger_items (tenant_id, id)
);
CREATE INDEX ledger_item_steps_item ON ledger_item_steps (tenant_id, item_id, at, id);
REVOKE UPDATE, DELETE ON ledger_item_steps FROM alliance_app;

-- Deadline notices sent (due soon, overdue): one per item, kind and due-date revision. The
-- primary key is what makes several job replicas, and a restarted one, send each once.
CREATE TABLE ledger_deadline_notices (
    tenant_id    uuid NOT NULL REFERENCES alliances (id),
    item_id      uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('DUE_SOON', 'OVERDUE')),
    due_revision integer NOT NULL,
    due_date     date NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, item_id, kind, due_revision),
    FOREIGN KEY (tenant_id, item_id) REFERENCES ledger_items (tenant_id, id)
);
REVOKE UPDATE, DELETE ON ledger_deadline_notices FROM alliance_app;

-- Target responsibility letters (党建目标责任书), issued level by level (层层签订).
CREATE TABLE responsibility_letters (
    id                     uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id              uuid NOT NULL REFERENCES alliances (id),
    issuer_organization_id uuid NOT NULL,
    organization_id        uuid NOT NULL,
    year                   integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    issued_by              uuid REFERENCES accounts (id),
    issued_by_login        text NOT NULL,
    issued_at              timestamptz NOT NULL DEFAULT now(),
    acknowledged_by        uuid REFERENCES accounts (id),
    acknowledged_by_login  text,
    acknowledged_at        timestamptz,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, issuer_organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CHECK (issuer_organization_id <> organization_id),
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by_login IS NULL)),
    -- One letter per organisation and year.
    CONSTRAINT responsibility_letters_one_per_year UNIQUE (tenant_id, organization_id, year)
);
CREATE TABLE responsibility_letter_items (
    tenant_id uuid NOT NULL REFERENCES alliances (id),
    letter_id uuid NOT NULL,
    item_id   uuid NOT NULL,
    PRIMARY KEY (tenant_id, letter_id, item_id),
    FOREIGN KEY (tenant_id, letter_id) REFERENCES responsibility_letters (tenant_id, id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES ledger_items (tenant_id, id)
);
REVOKE UPDATE, DELETE ON responsibility_letter_items FROM alliance_app;

ALTER TABLE ledger_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_items
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE ledger_item_answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_item_answers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_item_answers
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE ledger_item_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_item_steps FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_item_steps
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE ledger_deadline_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_deadline_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_deadline_notices
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE responsibility_letters ENABLE ROW LEVEL SECURITY;
ALTER TABLE responsibility_letters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON responsibility_letters
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE responsibility_letter_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE responsibility_letter_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON responsibility_letter_items
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- migrate:down
DROP TABLE responsibility_letter_items, responsibility_letters, ledger_deadline_notices, ledger_item_steps,
    ledger_item_answers, ledger_items;
DROP FUNCTION ledger_today();
