"""Which table holds an id (全局对象标识): the lookup behind GraphQL's ``node(id)``.

The tables are named by the domains that own them (their GraphQL roots' ``NODES``); this module
only asks PostgreSQL, in one statement of key lookups, which of them holds each id. Row-level
security applies as to every read, so another tenant's row is simply not found.

Most node tables are keyed by a UUID, which is globally unique already. One table may be keyed
by an integer (the audit trail's identity column): its ids are the only all-digit ids, so they
cannot collide with a UUID; a second integer-keyed table could, and is refused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import asyncpg

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_BIGINT_MAX = 2**63 - 1

Key = uuid.UUID | int


@dataclass(frozen=True, slots=True)
class KeyedTable:
    """A table and the column holding its objects' ids (``uuid`` or ``bigint``)."""

    table: str
    key: str = "id"
    kind: Literal["uuid", "bigint"] = "uuid"


def parse_key(value: str) -> Key | None:
    """The id as a UUID or a positive bigint; None when it is neither (it names no object)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        pass
    if value.isascii() and value.isdigit() and len(value) <= 19 and 0 < int(value) <= _BIGINT_MAX:
        return int(value)
    return None


class TableLookup:
    """One UNION ALL statement over the tables (UUID keys as $1, integer keys as $2), built once."""

    def __init__(self, tables: Sequence[KeyedTable]) -> None:
        for table in tables:
            if not (_NAME.match(table.table) and _NAME.match(table.key)):
                raise ValueError(f"{table!r} is not a plain table and column name")
        names = [table.table for table in tables]
        if len(set(names)) != len(names):
            raise ValueError(f"a table is registered twice: {names}")
        if sum(table.kind == "bigint" for table in tables) > 1:
            raise ValueError("at most one node table may be keyed by an integer: their ids would collide")
        self.tables = tuple(names)
        # The kinds of key asked for, each one parameter ($1, $2) in this order.
        self._kinds = tuple(kind for kind in ("uuid", "bigint") if any(t.kind == kind for t in tables))
        # Identifiers come from the code, never from a request; the ids are the parameters.
        self._statement = " UNION ALL ".join(
            f'SELECT "{t.key}"::text AS key, {index} AS source FROM "{t.table}"'
            f' WHERE "{t.key}" = ANY(${self._kinds.index(t.kind) + 1}::{t.kind}[])'
            for index, t in enumerate(tables)
        )

    async def tables_of(self, conn: asyncpg.Connection, *, ids: Sequence[Key]) -> dict[Key, str]:
        """The table holding each id the caller's tenant has; ids found nowhere are left out."""
        if not ids or not self.tables:
            return {}
        wanted = {
            "uuid": list({key for key in ids if isinstance(key, uuid.UUID)}),
            "bigint": list({key for key in ids if isinstance(key, int)}),
        }
        rows = await conn.fetch(self._statement, *(wanted[kind] for kind in self._kinds))
        found: dict[Key, str] = {}
        for row in rows:
            text, table = row["key"], self.tables[row["source"]]
            found[int(text) if text.isdigit() else uuid.UUID(text)] = table
        return found
