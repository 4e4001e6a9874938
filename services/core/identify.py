"""Which table holds an id (全局对象标识): the lookup behind GraphQL's ``node(id)``.

The tables are named by the domains that own them (their GraphQL roots' ``NODES``); this module
only asks PostgreSQL, in one statement of primary-key lookups, which of them holds each id.
Row-level security applies as to every read, so another tenant's row is simply not found.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import asyncpg

_TABLE = re.compile(r"^[a-z_][a-z0-9_]*$")


class TableLookup:
    """One UNION ALL statement over ``tables`` (each keyed by a uuid ``id``), built once."""

    def __init__(self, tables: Sequence[str]) -> None:
        for table in tables:
            if not _TABLE.match(table):
                raise ValueError(f"{table!r} is not a plain table name")
        if len(set(tables)) != len(tables):
            raise ValueError(f"a table is registered twice: {list(tables)}")
        self.tables = tuple(tables)
        # Identifiers come from the code, never from a request; the ids are the one parameter.
        self._statement = " UNION ALL ".join(
            f'SELECT id, {index} AS source FROM "{table}" WHERE id = ANY($1::uuid[])'
            for index, table in enumerate(self.tables)
        )

    async def tables_of(self, conn: asyncpg.Connection, *, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The table holding each id the caller's tenant has; ids found nowhere are left out."""
        if not ids or not self.tables:
            return {}
        rows = await conn.fetch(self._statement, list(set(ids)))
        return {row["id"]: self.tables[row["source"]] for row in rows}
