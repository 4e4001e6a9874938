-- migrate:up
-- Organisational life (组织生活): Party members (党员) and their branches over time, transfers of
-- organisational relationships (组织关系转接), 三会一课 records with attendance, the required
-- frequencies, political-birthday claims (政治生日), star rating (星级创评) and demonstration
-- sites (党建示范点). Personal data is kept to what the issue lists: name, join date, status,
-- full-membership date, phone.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The district's calendar day, whatever the server's time zone.
CREATE FUNCTION orglife_today() RETURNS date LANGUAGE sql STABLE AS
$$ SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date $$;

-- A join date's anniversary in a year (政治生日); 29 February falls on 28 February in other years.
CREATE FUNCTION orglife_anniversary(joined date, y integer) RETURNS date LANGUAGE sql IMMUTABLE AS
$$ SELECT make_date(y, extract(month FROM joined)::integer,
                    least(extract(day FROM joined)::integer,
                          extract(day FROM make_date(y, extract(month FROM joined)::integer, 1)
                                           + interval '1 month - 1 day')::integer)) $$;

CREATE TABLE party_members (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    -- The branch now (the open membership's); history is in party_memberships.
    organization_id uuid NOT NULL,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    joined_on       date NOT NULL CHECK (joined_on >= DATE '1921-07-01'),
    full_member_on  date,  -- 转正日期: a member is FULL from it, PROBATIONARY before
    status          text NOT NULL GENERATED ALWAYS AS (
                        CASE WHEN full_member_on IS NULL THEN 'PROBATIONARY' ELSE 'FULL' END) STORED,
    phone           text CHECK (phone ~ '^\+?[0-9][0-9 -]{5,19}$'),
    -- The member's own login, so that a member reads their own record (not personal data).
    account_id      uuid REFERENCES accounts (id),
    birthday_opt_out boolean NOT NULL DEFAULT false,
    -- Set when the member moved to another district (tenant): the record stays as history.
    left_on         date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT party_members_full_after_join CHECK (full_member_on IS NULL OR full_member_on >= joined_on),
    CONSTRAINT party_members_one_account UNIQUE (tenant_id, account_id)
);
CREATE INDEX party_members_branch ON party_members (tenant_id, organization_id, id);
CREATE INDEX party_members_name_trgm ON party_members USING gin (name gin_trgm_ops);

-- Membership history (党员所在支部): a person's branches over time, never overlapping.
CREATE TABLE party_memberships (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    member_id       uuid NOT NULL,
    organization_id uuid NOT NULL,
    from_on         date NOT NULL,
    to_on           date,  -- exclusive: the member belongs to the next branch from this day
    transfer_id     uuid,  -- the transfer that ended or began it
    FOREIGN KEY (tenant_id, member_id) REFERENCES party_members (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CHECK (to_on IS NULL OR to_on >= from_on),
    UNIQUE (tenant_id, member_id, from_on),
    CONSTRAINT party_memberships_no_overlap EXCLUDE USING gist (
        tenant_id WITH =, member_id WITH =, daterange(from_on, to_on) WITH &&)
);
CREATE INDEX party_memberships_branch ON party_memberships (tenant_id, organization_id, from_on);

-- Transfers (组织关系转接). Within a district one OUT row carries both sides; across districts
-- the sending tenant holds an OUT row and the receiving tenant an IN row, linked by the
-- sending row's ids and kept in step by events only.
CREATE TABLE member_transfers (
    id                   uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id            uuid NOT NULL REFERENCES alliances (id),
    direction            text NOT NULL CHECK (direction IN ('OUT', 'IN')),
    member_id            uuid,  -- the sending side's member; on an IN row the member once accepted
    organization_id      uuid NOT NULL,  -- this tenant's branch: the sender (OUT) or the receiver (IN)
    to_organization_id   uuid,  -- on an OUT row within the district: the receiving branch
    to_tenant            text NOT NULL CHECK (char_length(to_tenant) BETWEEN 1 AND 63),
    to_credit_code       text NOT NULL CHECK (char_length(to_credit_code) BETWEEN 1 AND 18),
    -- IN rows: where it comes from, as the sender told it (never read across tenants).
    origin_tenant_id     uuid,
    origin_transfer_id   uuid,
    origin_tenant        text,
    origin_organization  text,
    member_name          text NOT NULL CHECK (char_length(member_name) BETWEEN 1 AND 100),
    joined_on            date NOT NULL,
    member_status        text NOT NULL CHECK (member_status IN ('PROBATIONARY', 'FULL')),
    full_member_on       date,
    letter_number        text CHECK (char_length(letter_number) BETWEEN 1 AND 50),
    reason               text CHECK (char_length(reason) <= 500),
    status               text NOT NULL DEFAULT 'REQUESTED'
                         CHECK (status IN ('REQUESTED', 'APPROVED_OUT', 'ACCEPTED', 'REJECTED', 'CANCELLED')),
    rejection_reason     text CHECK (char_length(rejection_reason) BETWEEN 1 AND 500),
    -- 介绍信有效期: the receiving side must report by this day.
    report_by            date NOT NULL,
    approved_out_at      timestamptz,
    accepted_on          date,
    closed_at            timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES party_members (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, to_organization_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT member_transfers_not_own_branch CHECK (organization_id IS DISTINCT FROM to_organization_id),
    CONSTRAINT member_transfers_in_side CHECK (direction = 'OUT' OR to_organization_id IS NULL),
    CONSTRAINT member_transfers_in_origin CHECK (
        (direction = 'IN') = (origin_transfer_id IS NOT NULL AND origin_tenant_id IS NOT NULL)),
    CONSTRAINT member_transfers_rejected CHECK ((status = 'REJECTED') = (rejection_reason IS NOT NULL)),
    CONSTRAINT member_transfers_accepted CHECK ((status = 'ACCEPTED') = (accepted_on IS NOT NULL))
);
-- One open transfer per member on the sending side.
CREATE UNIQUE INDEX member_transfers_one_open ON member_transfers (tenant_id, member_id)
    WHERE status IN ('REQUESTED', 'APPROVED_OUT') AND direction = 'OUT';
-- The receiving side of one hand-over exists once, however often its event arrives.
CREATE UNIQUE INDEX member_transfers_origin ON member_transfers (tenant_id, origin_tenant_id, origin_transfer_id)
    WHERE origin_transfer_id IS NOT NULL;
CREATE INDEX member_transfers_branch ON member_transfers (tenant_id, organization_id, id);
CREATE INDEX member_transfers_to ON member_transfers (tenant_id, to_organization_id, id);

ALTER TABLE party_memberships ADD FOREIGN KEY (tenant_id, transfer_id) REFERENCES member_transfers (tenant_id, id);

-- Required frequency of each kind of session, per tenant (七项制度 "regularly and to standard"),
-- kept as a history: the newest row of a kind holds.
CREATE TABLE organisational_life_requirements (
    id        uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id uuid NOT NULL REFERENCES alliances (id),
    kind      text NOT NULL,
    period    text NOT NULL CHECK (period IN ('MONTH', 'QUARTER', 'YEAR')),
    times     integer NOT NULL DEFAULT 1 CHECK (times BETWEEN 1 AND 31),
    set_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (kind IN ('BRANCH_GENERAL_MEETING', 'BRANCH_COMMITTEE', 'PARTY_GROUP', 'PARTY_LECTURE',
                    'THEMED_PARTY_DAY', 'DEMOCRATIC_LIFE', 'MEMBER_EVALUATION'))
);

-- 三会一课 and the other sessions of branch life.
CREATE TABLE organisational_life_records (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    organization_id uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN (
                        'BRANCH_GENERAL_MEETING', 'BRANCH_COMMITTEE', 'PARTY_GROUP', 'PARTY_LECTURE',
                        'THEMED_PARTY_DAY', 'DEMOCRATIC_LIFE', 'MEMBER_EVALUATION')),
    held_on         date NOT NULL,
    topic           text NOT NULL CHECK (char_length(topic) BETWEEN 1 AND 200),
    place           text CHECK (char_length(place) BETWEEN 1 AND 200),
    resource_id     uuid,  -- a booked base or venue (开放式组织生活基地、场地)
    minutes         text CHECK (char_length(minutes) <= 20000),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, resource_id) REFERENCES resources (tenant_id, id)
);
CREATE INDEX organisational_life_requirements_newest ON organisational_life_requirements (tenant_id, kind, set_at DESC);
CREATE INDEX organisational_life_records_branch ON organisational_life_records (tenant_id, organization_id, held_on);
REVOKE DELETE ON organisational_life_records FROM alliance_app;

CREATE TABLE organisational_life_attendance (
    tenant_id      uuid NOT NULL REFERENCES alliances (id),
    record_id      uuid NOT NULL,
    member_id      uuid NOT NULL,
    present        boolean NOT NULL,
    absence_reason text CHECK (char_length(absence_reason) BETWEEN 1 AND 200),
    PRIMARY KEY (tenant_id, record_id, member_id),
    FOREIGN KEY (tenant_id, record_id) REFERENCES organisational_life_records (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES party_members (tenant_id, id),
    CHECK (present = (absence_reason IS NULL))
);
REVOKE UPDATE, DELETE ON organisational_life_attendance FROM alliance_app;

-- Political birthdays: one claim per member and year; the event is recorded in the claim's
-- transaction, the notice is sent afterwards and marked sent.
CREATE TABLE political_birthday_claims (
    tenant_id  uuid NOT NULL REFERENCES alliances (id),
    member_id  uuid NOT NULL,
    year       integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    claimed_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    PRIMARY KEY (tenant_id, member_id, year),
    FOREIGN KEY (tenant_id, member_id) REFERENCES party_members (tenant_id, id)
);
CREATE INDEX political_birthday_claims_unsent ON political_birthday_claims (tenant_id) WHERE sent_at IS NULL;

-- Star rating (星级创评、分类定级): the catalogue, the thresholds, the yearly ratings.
CREATE TABLE star_rating_criteria (
    id         uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id  uuid NOT NULL REFERENCES alliances (id),
    code       text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 40),  -- A-Z, 0-9, _ (checked on input)
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    weight     numeric(6, 2) NOT NULL CHECK (weight > 0 AND weight <= 1000),
    max_score  numeric(6, 2) NOT NULL CHECK (max_score > 0 AND max_score <= 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    CONSTRAINT star_rating_criteria_code UNIQUE (tenant_id, code)
);
-- The minimum total of levels 1…5, kept as a history: the newest row holds.
CREATE TABLE star_rating_thresholds (
    id         uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id  uuid NOT NULL REFERENCES alliances (id),
    min_scores numeric(5, 2)[] NOT NULL CHECK (cardinality(min_scores) = 5),
    set_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX star_rating_thresholds_newest ON star_rating_thresholds (tenant_id, set_at DESC);
CREATE TABLE star_ratings (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    organization_id uuid NOT NULL,
    year            integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    total           numeric(5, 2) NOT NULL CHECK (total BETWEEN 0 AND 100),
    level           smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    rated_by        uuid,
    rated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT star_ratings_one_per_year UNIQUE (tenant_id, organization_id, year)
);
CREATE TABLE star_rating_scores (
    tenant_id    uuid NOT NULL REFERENCES alliances (id),
    rating_id    uuid NOT NULL,
    criterion_id uuid NOT NULL,
    score        numeric(6, 2) NOT NULL CHECK (score >= 0),
    PRIMARY KEY (tenant_id, rating_id, criterion_id),
    FOREIGN KEY (tenant_id, rating_id) REFERENCES star_ratings (tenant_id, id),
    FOREIGN KEY (tenant_id, criterion_id) REFERENCES star_rating_criteria (tenant_id, id)
);
REVOKE UPDATE, DELETE ON star_ratings, star_rating_scores FROM alliance_app;

-- 党建示范点 with its brand (一社一特色); partners read these.
CREATE TABLE demonstration_sites (
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    organization_id uuid NOT NULL,
    brand_name      text NOT NULL CHECK (char_length(brand_name) BETWEEN 1 AND 100),
    designated_on   date NOT NULL,
    PRIMARY KEY (tenant_id, organization_id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);

ALTER TABLE party_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE party_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON party_members
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE party_memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE party_memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON party_memberships
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE member_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON member_transfers
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE organisational_life_requirements ENABLE ROW LEVEL SECURITY;
ALTER TABLE organisational_life_requirements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organisational_life_requirements
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE organisational_life_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE organisational_life_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organisational_life_records
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE organisational_life_attendance ENABLE ROW LEVEL SECURITY;
ALTER TABLE organisational_life_attendance FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organisational_life_attendance
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE political_birthday_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE political_birthday_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON political_birthday_claims
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE star_rating_criteria ENABLE ROW LEVEL SECURITY;
ALTER TABLE star_rating_criteria FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON star_rating_criteria
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE star_rating_thresholds ENABLE ROW LEVEL SECURITY;
ALTER TABLE star_rating_thresholds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON star_rating_thresholds
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE star_ratings ENABLE ROW LEVEL SECURITY;
ALTER TABLE star_ratings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON star_ratings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE star_rating_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE star_rating_scores FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON star_rating_scores
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE demonstration_sites ENABLE ROW LEVEL SECURITY;
ALTER TABLE demonstration_sites FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON demonstration_sites
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- migrate:down
DROP TABLE demonstration_sites, star_rating_scores, star_ratings, star_rating_thresholds,
    star_rating_criteria, political_birthday_claims, organisational_life_attendance,
    organisational_life_records, organisational_life_requirements, party_memberships,
    member_transfers, party_members;
DROP FUNCTION orglife_today();
DROP FUNCTION orglife_anniversary(date, integer);
