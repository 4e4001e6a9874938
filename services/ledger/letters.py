"""Target responsibility letters (党建目标责任书), signed level by level (层层签订).

An admin issues a letter for a year to an organisation below its own, listing responsibility
items of that organisation; the recipient's admin acknowledges it (签订), which records who and
when. One letter per organisation and year (a unique constraint).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, Conflict, Forbidden, NotFound
from services.core.principal import Principal
from services.events.changes import record_change
from services.ledger import rules
from services.ledger.access import REACH_CTE, assigning_organization, scope_params
from services.ledger.events import (
    ResponsibilityLetterAcknowledged,
    ResponsibilityLetterEvent,
    ResponsibilityLetterIssued,
)
from services.ledger.models import ResponsibilityLetter
from services.ledger.rows import fetch_one_or_none

_COLUMNS = """
l.id, l.organization_id, l.issuer_organization_id, l.year, l.issued_by_login, l.issued_at,
l.acknowledged_by_login, l.acknowledged_at,
ARRAY(SELECT li.item_id FROM responsibility_letter_items li WHERE li.letter_id = l.id ORDER BY li.item_id)
    AS item_ids
"""


_FIELDS = (
    "id",
    "organization_id",
    "issuer_organization_id",
    "year",
    "issued_by_login",
    "issued_at",
    "acknowledged_by_login",
    "acknowledged_at",
    "item_ids",
)


def _letter(row: asyncpg.Record) -> ResponsibilityLetter:
    return ResponsibilityLetter(**{key: row[key] for key in _FIELDS})


def _event(cls: type[ResponsibilityLetterEvent], letter: ResponsibilityLetter) -> ResponsibilityLetterEvent:
    return cls(
        id=str(letter.id),
        organization_id=str(letter.organization_id),
        issuer_organization_id=str(letter.issuer_organization_id),
        year=letter.year,
        item_ids=[str(i) for i in letter.item_ids],
        acknowledged=letter.acknowledged_at is not None,
    )


async def _fetch(conn: asyncpg.Connection, letter_id: uuid.UUID) -> ResponsibilityLetter:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM responsibility_letters l WHERE l.id = $1", letter_id)
    if row is None:
        raise NotFound("no such responsibility letter", field="id")
    return _letter(row)


async def issue_letter(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    organization_id: uuid.UUID,
    year: int,
    item_ids: Sequence[uuid.UUID],
) -> ResponsibilityLetter:
    """Issue a letter to an organisation below the caller's, listing its responsibility items."""
    rules.check_year(year)
    items = list(dict.fromkeys(rules.at_most(item_ids, rules.MAX_LETTER_ITEMS, field="itemIds")))
    if not items:
        raise BadUserInput("a letter lists at least one responsibility", field="itemIds")
    parent = await conn.fetchrow(
        "SELECT parent_id, archived_at FROM organizations WHERE id = $1", organization_id
    )
    if parent is None:
        raise NotFound("no such organization", field="organizationId")
    if parent["parent_id"] is None or parent["archived_at"] is not None:
        raise BadUserInput("a letter goes to an active organisation below another", field="organizationId")
    issuer = await assigning_organization(conn, actor, parent["parent_id"])
    matching = await conn.fetchval(
        "SELECT count(*) FROM ledger_items WHERE id = ANY($1::uuid[]) AND list = 'RESPONSIBILITY'"
        " AND year = $2 AND $3 IN (organization_id, responsible_organization_id)",
        items,
        year,
        organization_id,
    )
    if matching != len(items):
        raise BadUserInput(
            "itemIds must name responsibility items of that organisation for that year", field="itemIds"
        )
    row = await fetch_one_or_none(
        conn,
        "INSERT INTO responsibility_letters (tenant_id, issuer_organization_id, organization_id, year,"
        " issued_by, issued_by_login) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        actor.tenant_id,
        issuer,
        organization_id,
        year,
        actor.account_id,
        actor.login,
    )
    assert row is not None
    await conn.execute(
        "INSERT INTO responsibility_letter_items (tenant_id, letter_id, item_id)"
        " SELECT $1, $2, unnest($3::uuid[])",
        actor.tenant_id,
        row["id"],
        items,
    )
    letter = await _fetch(conn, row["id"])
    await record_change(
        conn,
        actor,
        _event(ResponsibilityLetterIssued, letter),
        after={"organizationId": organization_id, "year": year, "itemIds": [str(i) for i in letter.item_ids]},
    )
    return letter


async def acknowledge_letter(
    conn: asyncpg.Connection, *, actor: Principal, letter_id: uuid.UUID
) -> ResponsibilityLetter:
    """The recipient's admin signs the letter (签订). A letter the caller may not read is
    NOT_FOUND, as ``responsibilityLetter`` answers it; FORBIDDEN is for a reader that is not the
    recipient's admin."""
    letter = await get_letter(conn, actor=actor, letter_id=letter_id, lock=True)
    if letter.organization_id not in actor.managed_organization_ids:
        raise Forbidden("only the receiving organisation's admin signs its letter")
    if letter.acknowledged_at is not None:
        raise Conflict("the letter is signed already")
    await conn.execute(
        "UPDATE responsibility_letters SET acknowledged_by = $2, acknowledged_by_login = $3,"
        " acknowledged_at = now() WHERE id = $1",
        letter_id,
        actor.account_id,
        actor.login,
    )
    signed = await _fetch(conn, letter_id)
    await record_change(
        conn,
        actor,
        _event(ResponsibilityLetterAcknowledged, signed),
        before={"acknowledgedAt": None},
        after={"acknowledgedAt": signed.acknowledged_at, "acknowledgedBy": actor.login},
    )
    return signed


@dataclass(frozen=True, slots=True)
class LetterFilter:
    year: int | None = None
    organization_id: uuid.UUID | None = None  # issued to it
    issuer_organization_id: uuid.UUID | None = None
    acknowledged: bool | None = None


# Parameters $1–$3 the read scope (``access.scope_params``): letters issued by or to the
# caller's reach, or to its own organisations; $4 year, $5 recipient, $6 issuer,
# $7 acknowledged. The interpreter and compiled reads (``schema.ledger.compiled``) both run
# these statements, with ``filter_params``.
_WHERE = """
($1::boolean OR l.organization_id IN (SELECT id FROM ledger_reach)
 OR l.issuer_organization_id IN (SELECT id FROM ledger_reach) OR l.organization_id = ANY($3::uuid[]))
AND ($4::integer IS NULL OR l.year = $4)
AND ($5::uuid IS NULL OR l.organization_id = $5)
AND ($6::uuid IS NULL OR l.issuer_organization_id = $6)
AND ($7::boolean IS NULL OR $7 = (l.acknowledged_at IS NOT NULL))
"""
# A page ($8 the id after which it starts, $9 its size) and the filter's total.
PAGE_SQL = (
    f"WITH RECURSIVE {REACH_CTE} SELECT {_COLUMNS} FROM responsibility_letters l WHERE {_WHERE}"
    " AND ($8::uuid IS NULL OR l.id > $8) ORDER BY l.id LIMIT $9"
)
COUNT_SQL = f"WITH RECURSIVE {REACH_CTE} SELECT count(*) FROM responsibility_letters l WHERE {_WHERE}"
# One letter by id ($8) as the list sees it: the same scope, with no filter set.
BY_ID_SQL = (
    f"WITH RECURSIVE {REACH_CTE} SELECT {_COLUMNS} FROM responsibility_letters l WHERE {_WHERE} AND l.id = $8"
)
# The same, the letter's row locked for a write that follows.
_LOCKED_BY_ID_SQL = f"{BY_ID_SQL} FOR UPDATE OF l"


def filter_params(*, actor: Principal, filter: LetterFilter) -> list[Any]:
    """The read scope and the filter as ``$1``–``$7`` of ``PAGE_SQL`` and ``COUNT_SQL``."""
    if filter.year is not None:
        rules.check_year(filter.year)
    return [
        *scope_params(actor),
        filter.year,
        filter.organization_id,
        filter.issuer_organization_id,
        filter.acknowledged,
    ]


async def list_letters(
    conn: asyncpg.Connection, *, actor: Principal, filter: LetterFilter, first: int, after: uuid.UUID | None
) -> tuple[list[ResponsibilityLetter], int, bool]:
    """A page of the letters the caller may see (issued by or to its reach), oldest first."""
    args = filter_params(actor=actor, filter=filter)
    rows = await conn.fetch(PAGE_SQL, *args, after, first + 1)
    total = await conn.fetchval(COUNT_SQL, *args)
    return [_letter(row) for row in rows[:first]], int(total), len(rows) > first


async def get_letter(
    conn: asyncpg.Connection, *, actor: Principal, letter_id: uuid.UUID, lock: bool = False
) -> ResponsibilityLetter:
    """One letter the caller may see, as ``list_letters`` sees it; NOT_FOUND otherwise (also
    for another tenant's id). ``lock`` holds its row until the transaction ends."""
    row = await conn.fetchrow(
        _LOCKED_BY_ID_SQL if lock else BY_ID_SQL,
        *filter_params(actor=actor, filter=LetterFilter()),
        letter_id,
    )
    if row is None:
        raise NotFound("no such responsibility letter", field="id")
    return _letter(row)
