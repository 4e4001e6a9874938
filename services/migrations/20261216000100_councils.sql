-- migrate:up
-- Joint councils (党建联席会议 / 区域党委): councils and their member units, meetings,
-- agenda items (议题) with comments (协商), attendance, resolutions (决议), reminder claims
-- and calendar feeds. A resolution's tasks live in the three-lists ledger (source
-- COUNCIL_RESOLUTION), never here.
--
-- The rules hold in the database whatever the application does: a meeting lasts at most a
-- day and moves only forward; a published or cancelled meeting is read-only, and so are its
-- attendance and resolutions; one resolution per agenda item, and only for an item on that
-- meeting's agenda; attendance only for a unit that was a member on the meeting's day.

CREATE TABLE councils (
    id           uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id    uuid NOT NULL REFERENCES alliances (id),
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    kind         text NOT NULL CHECK (kind IN ('STREET_JOINT_MEETING', 'COMMUNITY_JOINT_MEETING',
                                               'SOE_JOINT_MEETING', 'REGIONAL_PARTY_COMMITTEE')),
    host_org_id  uuid NOT NULL,
    -- Partner systems read only public councils (their meetings, published resolutions, figures).
    public       boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, host_org_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX councils_tenant_kind ON councils (tenant_id, kind, id);
CREATE INDEX councils_tenant_host ON councils (tenant_id, host_org_id, id);
CREATE INDEX councils_name_trgm ON councils USING gin (name gin_trgm_ops);

-- Memberships keep their dates: a unit that leaves keeps its row with left_on set.
CREATE TABLE council_members (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    council_id      uuid NOT NULL,
    organization_id uuid NOT NULL,
    joined_on       date NOT NULL DEFAULT (now() AT TIME ZONE 'Asia/Shanghai')::date,
    left_on         date,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, council_id) REFERENCES councils (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    CONSTRAINT council_members_dates CHECK (left_on IS NULL OR left_on >= joined_on)
);
CREATE UNIQUE INDEX council_members_current ON council_members (council_id, organization_id)
    WHERE left_on IS NULL;
CREATE INDEX council_members_org ON council_members (tenant_id, organization_id);

CREATE TABLE council_meetings (
    id                   uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id            uuid NOT NULL REFERENCES alliances (id),
    council_id           uuid NOT NULL,
    title                text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    starts_at            timestamptz NOT NULL,
    ends_at              timestamptz NOT NULL,
    convening_org_id     uuid NOT NULL,
    place                text CHECK (char_length(place) <= 300),
    venue_resource_id    uuid,
    venue_booking_id     uuid,
    -- Minutes before the start at which a reminder goes out (default 24 h).
    reminder_minutes     integer[] NOT NULL DEFAULT '{1440}'
                         CHECK (cardinality(reminder_minutes) <= 5
                                AND 0 < ALL (reminder_minutes) AND 20160 >= ALL (reminder_minutes)),
    status               text NOT NULL DEFAULT 'SCHEDULED'
                         CHECK (status IN ('SCHEDULED', 'HELD', 'MINUTES_PUBLISHED', 'CANCELLED')),
    minutes              text CHECK (char_length(minutes) <= 50000),
    minutes_published_at timestamptz,
    cancel_reason        text CHECK (char_length(cancel_reason) <= 500),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, council_id) REFERENCES councils (tenant_id, id),
    FOREIGN KEY (tenant_id, convening_org_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, venue_resource_id) REFERENCES resources (tenant_id, id),
    FOREIGN KEY (tenant_id, venue_booking_id) REFERENCES bookings (tenant_id, id),
    CONSTRAINT council_meetings_window CHECK (ends_at > starts_at),
    CONSTRAINT council_meetings_length CHECK (ends_at - starts_at <= interval '1 day'),
    CHECK ((status = 'MINUTES_PUBLISHED') = (minutes_published_at IS NOT NULL)),
    CHECK (status <> 'MINUTES_PUBLISHED' OR minutes IS NOT NULL)
);
CREATE INDEX council_meetings_council ON council_meetings (tenant_id, council_id, starts_at);
CREATE INDEX council_meetings_start ON council_meetings (tenant_id, starts_at) WHERE status = 'SCHEDULED';

-- Statuses move only forward; a published or cancelled meeting changes no more.
CREATE FUNCTION council_meetings_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('MINUTES_PUBLISHED', 'CANCELLED') THEN
        RAISE EXCEPTION 'meeting % is % and read-only', OLD.id, OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'council_meetings_read_only';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'SCHEDULED' AND NEW.status IN ('HELD', 'CANCELLED'))
        OR (OLD.status = 'HELD' AND NEW.status = 'MINUTES_PUBLISHED')
    ) THEN
        RAISE EXCEPTION 'meeting % cannot go from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'council_meetings_transition';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER council_meetings_check BEFORE UPDATE ON council_meetings
    FOR EACH ROW EXECUTE FUNCTION council_meetings_check();

CREATE TABLE council_agenda_items (
    id               uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id        uuid NOT NULL REFERENCES alliances (id),
    council_id       uuid NOT NULL,
    raised_by_org_id uuid NOT NULL,
    raised_by_login  text,
    title            text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description      text NOT NULL CHECK (char_length(description) <= 5000),
    category         text CHECK (char_length(category) <= 50),
    status           text NOT NULL DEFAULT 'PROPOSED'
                     CHECK (status IN ('PROPOSED', 'ACCEPTED', 'DECLINED', 'DEFERRED', 'RESOLVED', 'CLOSED')),
    meeting_id       uuid,
    reason           text CHECK (char_length(reason) <= 1000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, meeting_id, id),
    FOREIGN KEY (tenant_id, council_id) REFERENCES councils (tenant_id, id),
    FOREIGN KEY (tenant_id, raised_by_org_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES council_meetings (tenant_id, id),
    CHECK (status NOT IN ('ACCEPTED', 'RESOLVED', 'CLOSED') OR meeting_id IS NOT NULL),
    CHECK (status NOT IN ('DECLINED', 'DEFERRED', 'CLOSED') OR reason IS NOT NULL)
);
CREATE INDEX council_agenda_items_council ON council_agenda_items (tenant_id, council_id, id);
CREATE INDEX council_agenda_items_meeting ON council_agenda_items (tenant_id, meeting_id);

-- Comments (协商) are kept: never changed, never deleted.
CREATE TABLE council_agenda_comments (
    id              uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    agenda_item_id  uuid NOT NULL,
    organization_id uuid NOT NULL,
    author_login    text,
    body            text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, agenda_item_id) REFERENCES council_agenda_items (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX council_agenda_comments_item ON council_agenda_comments (tenant_id, agenda_item_id, id);

CREATE TABLE council_attendance (
    tenant_id       uuid NOT NULL REFERENCES alliances (id),
    meeting_id      uuid NOT NULL,
    organization_id uuid NOT NULL,
    status          text NOT NULL CHECK (status IN ('PRESENT', 'ABSENT', 'EXCUSED')),
    delegate        text CHECK (char_length(delegate) <= 100),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, organization_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES council_meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);

CREATE TABLE council_resolutions (
    id               uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id        uuid NOT NULL REFERENCES alliances (id),
    meeting_id       uuid NOT NULL,
    agenda_item_id   uuid NOT NULL,
    text             text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 5000),
    task_count       integer NOT NULL CHECK (task_count BETWEEN 0 AND 50),
    adopted_by_login text,
    adopted_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    CONSTRAINT council_resolutions_one_per_item UNIQUE (agenda_item_id),
    -- The item is on this meeting's agenda.
    CONSTRAINT council_resolutions_on_agenda FOREIGN KEY (tenant_id, meeting_id, agenda_item_id)
        REFERENCES council_agenda_items (tenant_id, meeting_id, id)
);
CREATE INDEX council_resolutions_meeting ON council_resolutions (tenant_id, meeting_id);

-- Attendance and resolutions: only for a meeting that has begun and is not closed.
CREATE FUNCTION council_meeting_records_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    m council_meetings;
BEGIN
    SELECT * INTO m FROM council_meetings WHERE id = NEW.meeting_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key answers
    END IF;
    IF m.status NOT IN ('SCHEDULED', 'HELD') THEN
        RAISE EXCEPTION 'meeting % is % and read-only', m.id, m.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'council_meetings_read_only';
    END IF;
    IF m.starts_at > now() THEN
        RAISE EXCEPTION 'meeting % has not begun', m.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'council_meetings_not_begun';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER council_resolutions_check BEFORE INSERT OR UPDATE ON council_resolutions
    FOR EACH ROW EXECUTE FUNCTION council_meeting_records_check();

CREATE FUNCTION council_attendance_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    m council_meetings;
BEGIN
    SELECT * INTO m FROM council_meetings WHERE id = NEW.meeting_id;
    IF FOUND AND NOT EXISTS (
        SELECT 1 FROM council_members cm
        WHERE cm.council_id = m.council_id AND cm.organization_id = NEW.organization_id
          AND cm.joined_on <= (m.starts_at AT TIME ZONE 'Asia/Shanghai')::date
          AND (cm.left_on IS NULL OR cm.left_on >= (m.starts_at AT TIME ZONE 'Asia/Shanghai')::date)
    ) THEN
        RAISE EXCEPTION 'organization % was not a member on the meeting''s day', NEW.organization_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'council_attendance_members_only';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER council_attendance_open BEFORE INSERT OR UPDATE ON council_attendance
    FOR EACH ROW EXECUTE FUNCTION council_meeting_records_check();
CREATE TRIGGER council_attendance_check BEFORE INSERT OR UPDATE ON council_attendance
    FOR EACH ROW EXECUTE FUNCTION council_attendance_check();

-- Reminder claims: one row per meeting and offset. Whichever replica inserts it first sends
-- the reminder, in the same transaction as its event; the others' inserts do nothing.
CREATE TABLE council_meeting_reminders (
    tenant_id      uuid NOT NULL REFERENCES alliances (id),
    meeting_id     uuid NOT NULL,
    offset_minutes integer NOT NULL,
    sent_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, offset_minutes),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES council_meetings (tenant_id, id)
);

-- Calendar feeds (日历订阅): the URL carries the feed id and a secret; only its hash is kept.
CREATE TABLE council_feeds (
    id          uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id   uuid NOT NULL REFERENCES alliances (id),
    council_id  uuid NOT NULL,
    secret_hash bytea NOT NULL,
    created_by  uuid REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, council_id) REFERENCES councils (tenant_id, id)
);

-- A calendar app fetches a feed before anyone knows the tenant: this function runs as the
-- owner and answers only what checking the secret needs.
CREATE FUNCTION council_feed_for(p_id uuid)
RETURNS TABLE (tenant_id uuid, council_id uuid, secret_hash bytea, revoked boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT f.tenant_id, f.council_id, f.secret_hash, f.revoked_at IS NOT NULL
   FROM council_feeds f WHERE f.id = p_id $$;

ALTER TABLE councils ENABLE ROW LEVEL SECURITY;
ALTER TABLE councils FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON councils
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE council_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE council_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_members
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE council_meetings ENABLE ROW LEVEL SECURITY;
ALTER TABLE council_meetings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_meetings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE council_agenda_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE council_agenda_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_agenda_items
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE council_agenda_comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE council_agenda_comments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_agenda_comments
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE council_attendance ENABLE ROW LEVEL SECURITY;
ALTER TABLE council_attendance FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_attendance
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE council_resolutions ENABLE ROW LEVEL SECURITY;
ALTER TABLE council_resolutions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_resolutions
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE council_meeting_reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE council_meeting_reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_meeting_reminders
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
ALTER TABLE council_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE council_feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_feeds
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- 痕迹化管理: nothing of a council is deleted; comments, resolutions and reminders never change.
REVOKE DELETE, TRUNCATE ON councils, council_members, council_meetings, council_agenda_items,
    council_agenda_comments, council_attendance, council_resolutions, council_meeting_reminders,
    council_feeds FROM alliance_app;
REVOKE UPDATE ON council_agenda_comments, council_resolutions, council_meeting_reminders FROM alliance_app;

-- migrate:down
DROP FUNCTION council_feed_for(uuid);
DROP TABLE council_feeds, council_meeting_reminders, council_resolutions, council_attendance,
    council_agenda_comments, council_agenda_items, council_meetings, council_members, councils;
DROP FUNCTION council_attendance_check(), council_meeting_records_check(), council_meetings_check();
