"""What the PostgreSQL catalogue says about tenant tables, so tests need no hand-kept lists:
a table a new domain adds is covered the day its migration lands."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

NOT_TENANT_SECURED = {
    "outbox": "platform infrastructure: the relay reads and marks every tenant's rows with no tenant"
    " set; no resolver reads it, and tenants see events only through the live stream, which"
    " filters by the envelope's tenant (see the events migration)",
}
"""Tables with a ``tenant_id`` column that are deliberately not row-level secured, and why."""


# A meeting of one of the tenant's councils, begun an hour ago and still open (the owner makes it).
_MEETING_UNDER_WAY = """
c AS (SELECT id, host_org_id FROM councils WHERE tenant_id = $1 ORDER BY id LIMIT 1),
m AS (INSERT INTO council_meetings (tenant_id, council_id, title, starts_at, ends_at, convening_org_id)
      SELECT $1, c.id, 'rls', now() - interval '1 hour', now() + interval '1 hour', c.host_org_id FROM c
      RETURNING id, council_id, (starts_at AT TIME ZONE 'Asia/Shanghai')::date AS day)"""
MADE_IN_CONTEXT: dict[str, str] = {
    # Attendance: triggers ask for a meeting under way and a unit that was a member on its day.
    "council_attendance": f"""WITH {_MEETING_UNDER_WAY},
member AS (INSERT INTO council_members (tenant_id, council_id, organization_id, joined_on, left_on)
           SELECT $1, m.council_id, c.host_org_id, m.day - 1, m.day + 1 FROM m, c RETURNING organization_id)
SELECT $1::uuid AS tenant_id, m.id AS meeting_id, member.organization_id, 'PRESENT' AS status FROM m, member""",
    # A resolution: a trigger asks for a meeting under way, the key for an item on its agenda.
    "council_resolutions": f"""WITH {_MEETING_UNDER_WAY},
item AS (INSERT INTO council_agenda_items
             (tenant_id, council_id, raised_by_org_id, title, description, status, meeting_id)
         SELECT $1, m.council_id, c.host_org_id, 'rls', 'rls', 'ACCEPTED', m.id FROM m, c
         RETURNING id, meeting_id)
SELECT $1::uuid AS tenant_id, item.meeting_id, item.id AS agenda_item_id, 'rls' AS text, 0 AS task_count
FROM item""",
}
"""Tables whose triggers check what the catalogue cannot show: for each, an owner's statement
that makes the context a new row needs (given the tenant as $1) and returns the row's values."""


async def tenant_tables(conn: asyncpg.Connection) -> list[str]:
    """Every ordinary table of the public schema with a ``tenant_id`` column."""
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    return [row["relname"] for row in rows]


async def secured_tenant_tables(conn: asyncpg.Connection) -> list[str]:
    """The tenant tables row-level security must protect (all but the named exceptions)."""
    return [table for table in await tenant_tables(conn) if table not in NOT_TENANT_SECURED]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # format_type(), e.g. "uuid", "text[]", "timestamp with time zone"
    not_null: bool
    has_default: bool  # a default, an identity or a generated column


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    referenced: tuple[str, ...]


async def columns(conn: asyncpg.Connection, table: str) -> list[Column]:
    rows = await conn.fetch(
        "SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull,"
        " atthasdef OR attidentity <> '' OR attgenerated <> '' AS has_default"
        " FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped"
        " ORDER BY attnum",
        table,
    )
    return [Column(r["attname"], r["type"], r["attnotnull"], r["has_default"]) for r in rows]


async def foreign_keys(conn: asyncpg.Connection, table: str) -> list[ForeignKey]:
    rows = await conn.fetch(
        "SELECT confrelid::regclass::text AS target,"
        " ARRAY(SELECT attname FROM unnest(conkey) WITH ORDINALITY k(n, i)"
        "       JOIN pg_attribute ON attrelid = conrelid AND attnum = k.n ORDER BY i) AS cols,"
        " ARRAY(SELECT attname FROM unnest(confkey) WITH ORDINALITY k(n, i)"
        "       JOIN pg_attribute ON attrelid = confrelid AND attnum = k.n ORDER BY i) AS refs"
        " FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'",
        table,
    )
    keys = [ForeignKey(tuple(r["cols"]), r["target"], tuple(r["refs"])) for r in rows]
    return sorted(keys, key=lambda key: len(key.columns))


async def unique_indexes(conn: asyncpg.Connection, table: str) -> list[set[str]]:
    """The column sets of the table's unique indexes on plain columns (primary key included)."""
    rows = await conn.fetch(
        "SELECT ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = indrelid AND attnum = ANY (indkey))"
        " AS cols FROM pg_index WHERE indrelid = $1::regclass AND indisunique AND NOT (0 = ANY (indkey))",
        table,
    )
    return [set(row["cols"]) for row in rows]


async def enumerated_columns(conn: asyncpg.Connection, table: str) -> set[str]:
    """Columns a CHECK constraint limits to a list of values (a made-up value cannot pass it)."""
    rows = await conn.fetch(
        "SELECT DISTINCT attname FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
        " WHERE c.conrelid = $1::regclass AND c.contype = 'c'"
        " AND pg_get_constraintdef(c.oid) ~ '= ANY \\(|\\mIN \\('",
        table,
    )
    return {row["attname"] for row in rows}


async def allowed_values(conn: asyncpg.Connection, table: str) -> dict[str, str]:
    """For a column a one-column CHECK limits to a list (``col IN ('A', 'B')``): the first value."""
    rows = await conn.fetch(
        "SELECT a.attname, pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND cardinality(c.conkey) = 1",
        table,
    )
    found: dict[str, str] = {}
    for row in rows:
        match = re.search(r"= ANY \(ARRAY\['((?:[^']|'')*)'", row["definition"])
        if match:
            found[row["attname"]] = match.group(1).replace("''", "'")
    return found


async def primary_key(conn: asyncpg.Connection, table: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT a.attname FROM pg_index i"
        " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
        " WHERE i.indrelid = $1::regclass AND i.indisprimary",
        table,
    )
    return [row["attname"] for row in rows]


FRESH_TYPES = frozenset({"uuid", "text", "character varying", "citext"})


def fresh_value(column: Column, like: Any = None) -> Any:
    """A value no row holds yet, for a column under a unique index (of ``FRESH_TYPES``); text
    in capitals when the table's existing value ``like`` is (a code a CHECK keeps upper case)."""
    if column.type == "uuid":
        return uuid.uuid4()
    if column.type in {"text", "character varying", "citext"}:
        if isinstance(like, str) and like.isupper():
            return f"RLS_{uuid.uuid4().hex.upper()}"
        return f"rls-{uuid.uuid4().hex}"
    raise AssertionError(f"no fresh value for unique column {column.name} of type {column.type}")


def plain_value(column: Column) -> Any:
    """A value of the column's type, for a table no row of which shows what its rows look like."""
    by_type: dict[str, Any] = {
        "uuid": uuid.uuid4(),
        "text": f"rls-{uuid.uuid4().hex[:8]}",
        "citext": f"rls-{uuid.uuid4().hex[:8]}",
        "integer": 1,
        "smallint": 1,
        "bigint": 1,
        "double precision": 1.0,
        "boolean": False,
        "timestamp with time zone": dt.datetime.now(dt.UTC) + dt.timedelta(days=1),  # after now()
        "date": dt.date.today(),
        "jsonb": {},
        "json": {},
        "bytea": b"\x00",
        "text[]": ["rls"],  # one element: a list may have to hold at least one
    }
    if column.type not in by_type:
        raise AssertionError(f"no value for column {column.name} of type {column.type}")
    return by_type[column.type]


async def minimal_row(
    owner: asyncpg.Connection, table: str, tenant_id: uuid.UUID, actor: uuid.UUID | None = None
) -> dict[str, Any]:
    """Values for a new row of ``table`` in the tenant, derived from the catalogue.

    Defaults stay defaults and nullable columns stay null. Foreign keys take the tenant's own
    rows (one is made when the tenant has none). Each unique index gets one fresh column: a free one gets a new value; otherwise a
    referenced row is made for it. Any other required column takes its value from one of the
    tenant's existing rows (so CHECK constraints hold); when the tenant has none, the first
    value a CHECK lists for it, or a plain value of its type. A reference to an account that
    need not be new is ``actor``, the account the caller inserts as (policies may require it,
    e.g. "invited by the current account"). Tables in ``MADE_IN_CONTEXT`` take their
    statement's row instead.
    ``owner`` reads the tenant's rows and makes referenced rows (it bypasses row-level
    security); the caller inserts the row as the tenant and ``actor``.
    """
    if table in MADE_IN_CONTEXT:
        context_row = await owner.fetchrow(MADE_IN_CONTEXT[table], tenant_id)
        assert context_row is not None, f"{table}: the tenant has nothing to make its context from"
        return dict(context_row)
    cols = {column.name: column for column in await columns(owner, table)}
    required = {name for name, column in cols.items() if column.not_null and not column.has_default}
    keys = await foreign_keys(owner, table)
    in_keys = {column for key in keys for column in key.columns}
    enumerated = await enumerated_columns(owner, table)
    values: dict[str, Any] = {"tenant_id": tenant_id} if "tenant_id" in cols else {}
    fresh: set[str] = set()
    new_targets: set[ForeignKey] = set()
    # One of the tenant's rows of the table, if any: it shows values its CHECKs and triggers accept.
    shape = None
    if "tenant_id" in cols:
        shape = await owner.fetchrow(f"SELECT * FROM {table} WHERE tenant_id = $1 LIMIT 1", tenant_id)
    for index in await unique_indexes(owner, table):
        if index - required - values.keys():
            continue  # a column left to its default, or null, makes the row distinct
        # A column a fresh value can be made for; else (an integer, a date) a new referenced row.
        free = sorted(c for c in index - in_keys - enumerated - values.keys() if cols[c].type in FRESH_TYPES)
        if free:
            fresh.add(free[0])
            continue
        key = next((k for k in keys if set(k.columns) & index - values.keys()), None)
        assert key is not None, f"{table}: cannot make a row distinct under unique index {sorted(index)}"
        new_targets.add(key)
    for key in keys:
        if all(column in values for column in key.columns):
            continue
        if not all(column in required or column in values for column in key.columns):
            continue  # a column left null satisfies the key (MATCH SIMPLE)
        found: asyncpg.Record | dict[str, Any] | None
        if key in new_targets:
            found = await _new_referenced_row(owner, key, tenant_id)
        elif actor is not None and key.table == "accounts" and key.referenced == ("id",):
            found = {"id": actor}
        elif _shape_agrees(shape, key, values):
            # The row an existing row refers to: a trigger checking its kind accepted it.
            assert shape is not None
            found = {ref: shape[column] for column, ref in zip(key.columns, key.referenced, strict=True)}
        else:
            # A table no demo data fills (a delivery log, say) gets a row made for it.
            found = await _referenced_row(owner, key, values, tenant_id) or await _new_referenced_row(
                owner, key, tenant_id
            )
        assert found is not None, f"{table}: no row of {key.table} in the tenant to refer to"
        for column, ref in zip(key.columns, key.referenced, strict=True):
            values[column] = found[ref]
    allowed = await allowed_values(owner, table)
    for name in sorted(required - values.keys()):
        if name in fresh:
            values[name] = fresh_value(cols[name], None if shape is None else shape[name])
        elif shape is not None:
            values[name] = shape[name]
        elif name in allowed:
            values[name] = allowed[name]
        else:
            values[name] = plain_value(cols[name])
    return values


def _shape_agrees(shape: asyncpg.Record | None, key: ForeignKey, values: dict[str, Any]) -> bool:
    """Whether the existing row refers through ``key`` (no null) to a row that agrees with the
    values chosen so far."""
    if shape is None:
        return False
    return all(
        shape[column] is not None and (column not in values or values[column] == shape[column])
        for column in key.columns
    )


async def _new_referenced_row(owner: asyncpg.Connection, key: ForeignKey, tenant_id: uuid.UUID) -> Any:
    made = await minimal_row(owner, key.table, tenant_id)
    # The owner's connection has no JSON codec: a JSON value goes as its text.
    values = [json.dumps(v) if isinstance(v, dict) else v for v in made.values()]
    return await owner.fetchrow(
        f"INSERT INTO {key.table} ({', '.join(made)})"
        f" VALUES ({', '.join(f'${n}' for n in range(1, len(made) + 1))})"
        f" RETURNING {', '.join(key.referenced)}",
        *values,
    )


async def _referenced_row(
    owner: asyncpg.Connection, key: ForeignKey, values: dict[str, Any], tenant_id: uuid.UUID
) -> asyncpg.Record | None:
    """A row of the key's table that agrees with the values chosen so far, in the tenant."""
    target_cols = {c.name for c in await columns(owner, key.table)}
    conditions: list[str] = []
    params: list[Any] = []
    for column, ref in zip(key.columns, key.referenced, strict=True):
        if column in values:
            params.append(values[column])
            conditions.append(f"{ref} = ${len(params)}")
    if "tenant_id" in target_cols and "tenant_id" not in key.referenced:
        params.append(tenant_id)
        conditions.append(f"tenant_id = ${len(params)}")
    where = " AND ".join(conditions) or "true"
    return await owner.fetchrow(
        f"SELECT {', '.join(key.referenced)} FROM {key.table} WHERE {where} LIMIT 1", *params
    )
