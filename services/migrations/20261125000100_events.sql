-- migrate:up
-- The event backbone (DESIGN.md §4): the transactional outbox that the relay drains to Kafka,
-- the consumers' inbox (each event takes effect once per consuming service) and their dead
-- letters.
--
-- No row-level security on these tables, on purpose: they are platform infrastructure that
-- the relay and the workers read and write across every tenant, without a tenant set. No
-- GraphQL resolver reads them; tenants see events only through the live stream, which filters
-- by the envelope's tenant. tenant_id is not a foreign key: the relay must never fail on a
-- row because of another table.

CREATE TABLE outbox (
    -- Insertion order. The relay sends in this order, so one aggregate's events (whose
    -- changes are serialised by the aggregate's row lock) leave in the order they committed.
    seq            bigserial   NOT NULL,
    id             uuid        PRIMARY KEY,
    tenant_id      uuid        NOT NULL,
    aggregate_type text        NOT NULL CHECK (aggregate_type ~ '^[a-z][a-z_]*$'),
    aggregate_id   text        NOT NULL CHECK (aggregate_id <> ''),
    event_type     text        NOT NULL CHECK (event_type ~ '^[a-z_]+(\.[a-z_]+)+\.v[0-9]+$'),
    topic          text        NOT NULL,
    payload        jsonb       NOT NULL,  -- the whole envelope, sent as the message value
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz,
    attempts       integer     NOT NULL DEFAULT 0
);
-- Only unsent rows: the relay's claim stays an index scan however many sent rows are kept.
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
-- Pruning sent rows past their retention.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;

CREATE TABLE inbox (
    consumer   text        NOT NULL,  -- the consuming service (Kafka group alliance.<service>)
    event_id   uuid        NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX inbox_handled_at ON inbox (handled_at);

CREATE TABLE dead_letter (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer        text        NOT NULL,
    event_id        uuid,       -- null when the message was not a valid envelope
    topic           text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    envelope        jsonb,      -- null when the message was not a valid envelope
    error           text        NOT NULL,
    attempts        integer     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    replayed_at     timestamptz
);
-- A redelivered poison event does not pile up: one open dead letter per consumer and event.
CREATE UNIQUE INDEX dead_letter_open ON dead_letter (consumer, event_id)
    WHERE replayed_at IS NULL;
CREATE INDEX dead_letter_created_at ON dead_letter (created_at);

-- migrate:down
DROP TABLE dead_letter;
DROP TABLE inbox;
DROP TABLE outbox;
