-- migrate:up
-- Who may read each feed entry (its event's read rule, services/events/visibility.py):
-- the permission the reader's roles need, whether partners may, the organisation whose
-- managers alone may (a draft), and the permission that shows the actor's login.
ALTER TABLE activity
    ADD COLUMN read_permission  text,
    ADD COLUMN partners         boolean NOT NULL DEFAULT false,
    ADD COLUMN managers_of      uuid,
    ADD COLUMN actor_permission text NOT NULL DEFAULT 'role:read';

-- Entries written before: read like their aggregate, failing closed where the rule needs
-- data the entry lacks (a draft's owner: only those who see every organisation).
UPDATE activity SET
    read_permission = CASE split_part(event_type, '.', 1)
        WHEN 'organization' THEN 'organization:read'
        WHEN 'role' THEN 'role:read'
        WHEN 'resource' THEN 'resource:read'
        WHEN 'booking' THEN 'booking:read'
        ELSE 'audit:read' END,
    partners = split_part(event_type, '.', 1) = 'organization',
    managers_of = CASE WHEN split_part(event_type, '.', 1) = 'resource' AND summary->>'status' = 'DRAFT'
                       THEN '00000000-0000-0000-0000-000000000000'::uuid END;
ALTER TABLE activity ALTER COLUMN read_permission SET NOT NULL;

-- migrate:down
ALTER TABLE activity DROP COLUMN read_permission, DROP COLUMN partners, DROP COLUMN managers_of,
    DROP COLUMN actor_permission;
