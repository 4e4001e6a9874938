-- migrate:up
-- Every table's id defaults to uuidv7() (RFC 9562: time-ordered, so new rows land at the
-- right edge of their primary-key index). PostgreSQL has it from 18 on; districts also run
-- 15 to 17. Where the server has none, uuidv7() is the platform's own, below.
--
-- This version sorts before the first table's migration, so a fresh database has the
-- function before any default names it. A database migrated before this file existed gets it
-- out of order (dbmate applies every missing version); there uuidv7() already resolves, and
-- nothing is created under that name.
--
-- The layout is the one PostgreSQL 18 uses: 48 bits of Unix milliseconds, the version (7),
-- 12 bits of sub-millisecond time (RFC 9562 §6.2, method 3, so ids of one session follow
-- each other down to ~0.25 µs), the variant, then 62 random bits. The random bits come from
-- gen_random_uuid() (core since 13), whose variant bits are already RFC 9562's.
-- alliance_uuidv7() exists on every server, so that the suite tests it on 18 too.
CREATE FUNCTION alliance_uuidv7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(
        overlay(uuid_send(gen_random_uuid())
                PLACING int8send(((us / 1000) << 16) | x'7000'::bigint | ((us % 1000) * 4096 / 1000))
                FROM 1 FOR 8),
        'hex')::uuid
    FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS us) AS now
$$;

DO $$
BEGIN
    IF to_regprocedure('uuidv7()') IS NULL THEN
        CREATE FUNCTION public.uuidv7() RETURNS uuid
        LANGUAGE sql VOLATILE PARALLEL SAFE AS 'SELECT public.alliance_uuidv7()';
    END IF;
END
$$;

-- migrate:down
DO $$
BEGIN
    -- Only the uuidv7() this migration made: never the server's, nor one an operator installed.
    IF EXISTS (SELECT FROM pg_proc WHERE oid = to_regprocedure('public.uuidv7()')
                                     AND prosrc LIKE '%alliance_uuidv7%') THEN
        DROP FUNCTION public.uuidv7();
    END IF;
END
$$;
DROP FUNCTION alliance_uuidv7();
