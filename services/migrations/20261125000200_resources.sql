-- migrate:up
-- Shared resources (资源共享) and their bookings (预约).
--
-- The booking rules hold in the database, whatever the application does: no two held
-- bookings of a time-exclusive resource overlap (exclusion constraint), held material
-- quantities never exceed the stock at any instant (constraint trigger under the resource's
-- row lock), attendees fit the capacity, the window lies in the opening hours and off the
-- blackout dates, a new request is not in the past, and statuses move only forward.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Opening hours are a JSON list of weekly windows, local time of the resource:
-- [{"weekday": 1..7 (ISO, Monday = 1), "start": "HH:MM", "end": "HH:MM" or "24:00"}].
-- An empty list means "open at any time".
CREATE FUNCTION opening_hours_valid(p_hours jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(p_hours) <> 'array' THEN false ELSE NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements(p_hours) AS e(w)
        WHERE jsonb_typeof(e.w) <> 'object'
           OR coalesce(e.w ->> 'weekday', '') !~ '^[1-7]$'
           OR coalesce(e.w ->> 'start', '') !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
           OR coalesce(e.w ->> 'end', '') !~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'
           OR (e.w ->> 'start') >= (e.w ->> 'end')
    ) END
$$;

CREATE FUNCTION urls_are_http(p_urls text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(bool_and(u ~ '^https?://[^[:space:]]+$' AND char_length(u) <= 2000), true)
    FROM unnest(p_urls) AS u
$$;

CREATE TABLE resources (
    id             uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id      uuid NOT NULL REFERENCES alliances (id),
    owner_org_id   uuid NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('VENUE', 'MATERIAL', 'BASE', 'SERVICE', 'LECTURER', 'FUNDING')),
    title          text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description    text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
    address        text CHECK (char_length(address) <= 300),
    capacity       integer CHECK (capacity > 0),
    quantity       integer CHECK (quantity > 0),
    tags           text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    photo_urls     text[] NOT NULL DEFAULT '{}' CHECK (cardinality(photo_urls) <= 20 AND urls_are_http(photo_urls)),
    opening_hours  jsonb NOT NULL DEFAULT '[]' CHECK (opening_hours_valid(opening_hours)),
    blackout_dates date[] NOT NULL DEFAULT '{}' CHECK (cardinality(blackout_dates) <= 400),
    time_zone      text NOT NULL DEFAULT 'Asia/Shanghai',
    status         text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
    visibility     text NOT NULL DEFAULT 'ALLIANCE' CHECK (visibility IN ('ALLIANCE', 'PARTNERS')),
    published_at   timestamptz,
    archived_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_org_id) REFERENCES organizations (tenant_id, id),
    -- Materials (物资) are lent from a stock.
    CHECK (kind <> 'MATERIAL' OR quantity IS NOT NULL),
    CHECK (status <> 'PUBLISHED' OR published_at IS NOT NULL),
    CHECK (status <> 'ARCHIVED' OR archived_at IS NOT NULL)
);
CREATE INDEX resources_tenant_kind ON resources (tenant_id, kind, id);
CREATE INDEX resources_tenant_owner ON resources (tenant_id, owner_org_id, id);
CREATE INDEX resources_tenant_status ON resources (tenant_id, status, id);
CREATE INDEX resources_tenant_capacity ON resources (tenant_id, capacity);
CREATE INDEX resources_tags ON resources USING gin (tags);
CREATE INDEX resources_title_trgm ON resources USING gin (title gin_trgm_ops);
CREATE INDEX resources_description_trgm ON resources USING gin (description gin_trgm_ops);

-- A base's activity menu (活动菜单). Items are removed softly: bookings keep pointing at them.
CREATE TABLE resource_menu_items (
    id               uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id        uuid NOT NULL REFERENCES alliances (id),
    resource_id      uuid NOT NULL,
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 1440),
    capacity         integer CHECK (capacity > 0),
    description      text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    removed_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, resource_id, id),
    FOREIGN KEY (tenant_id, resource_id) REFERENCES resources (tenant_id, id)
);
CREATE UNIQUE INDEX resource_menu_items_name ON resource_menu_items (resource_id, name)
    WHERE removed_at IS NULL;

CREATE TABLE bookings (
    id                 uuid PRIMARY KEY DEFAULT uuidv7(),
    tenant_id          uuid NOT NULL REFERENCES alliances (id),
    resource_id        uuid NOT NULL,
    -- Copied from the resource's kind by the trigger below: only time-exclusive resources
    -- (venue, base, lecturer) take part in the exclusion constraint.
    exclusive          boolean NOT NULL DEFAULT false,
    requester_org_id   uuid NOT NULL,
    requested_by       uuid REFERENCES accounts (id),
    requested_by_login text,
    during             tstzrange NOT NULL,
    attendees          integer CHECK (attendees > 0),
    quantity           integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
    purpose            text CHECK (char_length(purpose) <= 500),
    menu_item_id       uuid,
    batch              text CHECK (char_length(batch) <= 200),
    status             text NOT NULL DEFAULT 'PENDING'
                       CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'COMPLETED', 'NO_SHOW')),
    decision_reason    text CHECK (char_length(decision_reason) <= 500),
    decided_by         uuid REFERENCES accounts (id),
    decided_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, resource_id) REFERENCES resources (tenant_id, id),
    FOREIGN KEY (tenant_id, requester_org_id) REFERENCES organizations (tenant_id, id),
    -- The chosen menu item belongs to the booked resource (MATCH SIMPLE: none chosen is fine).
    FOREIGN KEY (tenant_id, resource_id, menu_item_id)
        REFERENCES resource_menu_items (tenant_id, resource_id, id),
    CONSTRAINT bookings_window CHECK (
        NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)
        AND lower_inc(during) AND NOT upper_inc(during)),
    CONSTRAINT bookings_window_length CHECK (upper(during) - lower(during) <= interval '31 days'),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (resource_id WITH =, during WITH &&)
        WHERE (status IN ('APPROVED', 'COMPLETED') AND exclusive)
);
-- "Free in a window" and stock sums: held bookings overlapping a range, of one resource or of
-- the whole tenant (row-level security adds the tenant to every probe).
CREATE INDEX bookings_held_during ON bookings USING gist (tenant_id, resource_id, during)
    WHERE status IN ('APPROVED', 'COMPLETED');
CREATE INDEX bookings_tenant_resource ON bookings (tenant_id, resource_id, lower(during));
CREATE INDEX bookings_tenant_requester ON bookings (tenant_id, requester_org_id, id);
CREATE INDEX bookings_tenant_status ON bookings (tenant_id, status, id);

-- Whether a resource is open for the whole of [p_from, p_to): off every blackout date it
-- touches, and (when it has opening hours) inside one window if the range lies within a
-- day, else starting and ending inside a window of its first and last day.
CREATE FUNCTION resource_open_during(
    p_hours jsonb, p_blackout date[], p_tz text, p_from timestamptz, p_to timestamptz
) RETURNS boolean LANGUAGE sql STABLE AS $$
    WITH w AS (
        SELECT lf, lt, lf::date AS first_day, (lt - interval '1 microsecond')::date AS last_day
        FROM (SELECT p_from AT TIME ZONE p_tz AS lf, p_to AT TIME ZONE p_tz AS lt) AS local
    ),
    h AS (SELECT * FROM jsonb_to_recordset(p_hours) AS h (weekday int, start text, "end" text))
    SELECT NOT EXISTS (
            SELECT 1 FROM w, unnest(p_blackout) AS b (day) WHERE b.day BETWEEN w.first_day AND w.last_day)
        AND (jsonb_array_length(p_hours) = 0 OR (
            SELECT CASE WHEN first_day = last_day THEN
                EXISTS (SELECT 1 FROM h WHERE h.weekday = extract(isodow FROM first_day)
                        AND lf - first_day >= h.start::interval AND lt - first_day <= h."end"::interval)
            ELSE
                EXISTS (SELECT 1 FROM h WHERE h.weekday = extract(isodow FROM first_day)
                        AND lf - first_day >= h.start::interval AND lf - first_day < h."end"::interval)
                AND EXISTS (SELECT 1 FROM h WHERE h.weekday = extract(isodow FROM last_day)
                        AND lt - last_day > h.start::interval AND lt - last_day <= h."end"::interval)
            END
            FROM w))
$$;

-- Open hours of a resource within [p_from, p_to) (24 a day without opening hours).
CREATE FUNCTION resource_open_hours(
    p_hours jsonb, p_blackout date[], p_tz text, p_from timestamptz, p_to timestamptz
) RETURNS double precision LANGUAGE sql STABLE AS $$
    WITH bounds AS (SELECT p_from AT TIME ZONE p_tz AS lf, p_to AT TIME ZONE p_tz AS lt),
    days AS (
        SELECT d::date AS day FROM bounds, generate_series(lf::date, lt::date, interval '1 day') AS d
    ),
    windows AS (
        SELECT days.day, days.day + h.start::interval AS ws, days.day + h."end"::interval AS we
        FROM days JOIN jsonb_to_recordset(p_hours) AS h (weekday int, start text, "end" text)
            ON h.weekday = extract(isodow FROM days.day)
        UNION ALL
        SELECT day, day::timestamp, day + interval '1 day' FROM days WHERE jsonb_array_length(p_hours) = 0
    )
    SELECT coalesce(sum(extract(epoch FROM least(we, lt) - greatest(ws, lf))) / 3600, 0)::float8
    FROM windows, bounds
    WHERE NOT (day = ANY (p_blackout)) AND least(we, lt) > greatest(ws, lf)
$$;

-- The largest quantity of a resource held (approved or completed) at any instant of p_during.
-- The load is a step function that rises only where a booking starts, so its maximum over
-- the range is at the range's start or at a booking's start.
CREATE FUNCTION resource_peak_held(p_resource uuid, p_during tstzrange) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT coalesce(max(load), 0)::integer FROM (
        SELECT (SELECT sum(b2.quantity) FROM bookings b2
                WHERE b2.resource_id = p_resource AND b2.status IN ('APPROVED', 'COMPLETED')
                  AND b2.during @> points.at) AS load
        FROM (SELECT greatest(lower(b.during), lower(p_during)) AS at FROM bookings b
              WHERE b.resource_id = p_resource AND b.status IN ('APPROVED', 'COMPLETED')
                AND b.during && p_during) AS points
    ) AS loads
$$;

CREATE FUNCTION bookings_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r resources;
BEGIN
    SELECT * INTO r FROM resources WHERE id = NEW.resource_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key answers
    END IF;
    NEW.exclusive := r.kind IN ('VENUE', 'BASE', 'LECTURER');
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'PENDING' AND NEW.status IN ('APPROVED', 'REJECTED', 'CANCELLED'))
        OR (OLD.status = 'APPROVED' AND NEW.status IN ('CANCELLED', 'COMPLETED', 'NO_SHOW'))
    ) THEN
        RAISE EXCEPTION 'booking % cannot go from % to %', NEW.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_transition';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.during IS NOT DISTINCT FROM OLD.during
        AND NEW.attendees IS NOT DISTINCT FROM OLD.attendees
        AND NEW.quantity IS NOT DISTINCT FROM OLD.quantity THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND r.status <> 'PUBLISHED' THEN
        RAISE EXCEPTION 'resource % is not published', r.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_resource_published';
    END IF;
    -- Final states may be imported with past windows; a new request may not start in the past.
    IF TG_OP = 'INSERT' AND NEW.status = 'PENDING' AND lower(NEW.during) < now() THEN
        RAISE EXCEPTION 'booking window starts in the past'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_not_in_past';
    END IF;
    IF r.capacity IS NOT NULL AND NEW.attendees > r.capacity THEN
        RAISE EXCEPTION 'attendees % exceed the capacity %', NEW.attendees, r.capacity
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_attendees_within_capacity';
    END IF;
    IF r.kind = 'MATERIAL' AND NEW.quantity > r.quantity THEN
        RAISE EXCEPTION 'quantity % exceeds the stock %', NEW.quantity, r.quantity
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_quantity_within_stock';
    END IF;
    IF NOT resource_open_during(r.opening_hours, r.blackout_dates, r.time_zone,
                                lower(NEW.during), upper(NEW.during)) THEN
        RAISE EXCEPTION 'booking window is outside the opening hours'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_within_opening_hours';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER bookings_check BEFORE INSERT OR UPDATE ON bookings
    FOR EACH ROW EXECUTE FUNCTION bookings_check();

-- Stock (物资库存): after a booking becomes held, the resource's row lock serialises the
-- check with every other approval of that resource; each statement of this (volatile)
-- function takes a fresh snapshot, so the sum includes approvals committed while waiting.
CREATE FUNCTION bookings_within_stock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    stock integer;
BEGIN
    SELECT quantity INTO stock FROM resources
    WHERE id = NEW.resource_id AND kind = 'MATERIAL' FOR UPDATE;
    IF stock IS NOT NULL AND resource_peak_held(NEW.resource_id, NEW.during) > stock THEN
        RAISE EXCEPTION 'approved quantities of resource % would exceed its stock %', NEW.resource_id, stock
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_within_stock';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER bookings_within_stock AFTER INSERT OR UPDATE ON bookings
    FOR EACH ROW WHEN (NEW.status IN ('APPROVED', 'COMPLETED'))
    EXECUTE FUNCTION bookings_within_stock();

ALTER TABLE resources ENABLE ROW LEVEL SECURITY;
ALTER TABLE resources FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON resources
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE resource_menu_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE resource_menu_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON resource_menu_items
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE bookings ENABLE ROW LEVEL SECURITY;
ALTER TABLE bookings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bookings
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Bookings are never deleted (痕迹化管理); resources and menu items are archived/removed softly.
REVOKE DELETE, TRUNCATE ON resources, resource_menu_items, bookings FROM alliance_app;

-- migrate:down
DROP TABLE bookings, resource_menu_items, resources;
DROP FUNCTION bookings_within_stock(), bookings_check(), resource_peak_held(uuid, tstzrange),
    resource_open_hours(jsonb, date[], text, timestamptz, timestamptz),
    resource_open_during(jsonb, date[], text, timestamptz, timestamptz),
    urls_are_http(text[]), opening_hours_valid(jsonb);
