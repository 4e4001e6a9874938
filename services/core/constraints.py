"""Database constraints as domain errors: declared once per domain, by constraint name.

PostgreSQL is the last word on integrity (unique keys, checks, exclusion constraints,
triggers). A domain lists what each of its constraints means to a caller once::

    CONSTRAINTS = Constraints({
        "bookings_window": Invalid("end", "the window must end after it starts"),
        "bookings_no_overlap": Collision("another approved booking overlaps the window"),
    })

and runs its writes through ``CONSTRAINTS.fetchrow`` / ``execute``. A violation of a listed
constraint becomes BAD_USER_INPUT (with the field) or CONFLICT; an unlisted one stays an
unexpected error, masked and logged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, Conflict, DomainError


@dataclass(frozen=True, slots=True)
class Invalid:
    """The constraint guards an input field: BAD_USER_INPUT naming ``field``."""

    field: str
    message: str

    def error(self, detail: str) -> DomainError:
        return BadUserInput(self.message.format(detail=detail), field=self.field)


@dataclass(frozen=True, slots=True)
class Collision:
    """The constraint guards the current state (a duplicate, a lost race): CONFLICT."""

    message: str

    def error(self, detail: str) -> DomainError:
        return Conflict(self.message.format(detail=detail))


class Constraints:
    """One domain's constraint names and their meaning; applied to every write it runs."""

    def __init__(
        self,
        meanings: Mapping[str, Invalid | Collision],
        *,
        on_collision: Callable[[str], None] | None = None,
    ) -> None:
        self.meanings = dict(meanings)
        # Told the constraint's name whenever a Collision is refused (a domain's conflict count).
        self.on_collision = on_collision

    def translate(self, exc: asyncpg.PostgresError) -> DomainError | None:
        """The domain error a constraint violation means, or None if it is not listed."""
        if not isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            return None
        name = getattr(exc, "constraint_name", None) or ""
        meaning = self.meanings.get(name)
        if meaning is None:
            return None
        if isinstance(meaning, Collision) and self.on_collision is not None:
            self.on_collision(name)
        return meaning.error(getattr(exc, "message", "") or str(exc))

    async def fetchrow(self, conn: asyncpg.Connection, sql: str, *args: Any) -> asyncpg.Record:
        """Run a write returning one row; listed violations become domain errors."""
        try:
            row = await conn.fetchrow(sql, *args)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise (self.translate(exc) or exc) from None
        if row is None:
            raise LookupError("the write returned no row")
        return row

    async def execute(self, conn: asyncpg.Connection, sql: str, *args: Any) -> str:
        """Run a write; listed violations become domain errors."""
        try:
            result: str = await conn.execute(sql, *args)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise (self.translate(exc) or exc) from None
        return result
