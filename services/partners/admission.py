"""Admission of one partner request: persisted operation, allow-list and limits, in one call.

Limits hold across gateway replicas because the buckets are PostgreSQL rows
(``partner_admit`` in the migration); a request costs one round trip for all of it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

import asyncpg


class Verdict(enum.Enum):
    OK = "OK"
    NOT_FOUND = "NOT_FOUND"  # a hash alone, not on the key's list
    NOT_ALLOWED = "NOT_ALLOWED"  # text not on the list of a bound key (or allow-list-only tenant)
    LIMITED = "LIMITED"  # a bucket is short; retry after ``retry_after`` seconds


@dataclass(frozen=True, slots=True)
class Admission:
    verdict: Verdict
    document: str | None  # the persisted operation's text, when it was found by hash
    cost: int | None
    limit: int | None  # the key's burst: the most requests it may send at once
    remaining: int | None
    reset_seconds: float | None  # until the request bucket is full again
    retry_after: float | None


async def admit(
    pool: asyncpg.Pool,
    *,
    tenant_id: uuid.UUID,
    api_key_id: uuid.UUID,
    sha256: str | None,
    has_text: bool,
    cost: int,
) -> Admission:
    """Decide and charge one request of ``api_key_id`` (``cost``: the measured cost of a sent
    text; a persisted operation is charged its recorded cost)."""
    row = await pool.fetchrow(
        "SELECT * FROM partner_admit($1, $2, $3, $4, $5)", tenant_id, api_key_id, sha256, has_text, cost
    )
    assert row is not None  # the function always returns one row
    return Admission(
        verdict=Verdict(row["verdict"]),
        document=row["document"],
        cost=row["cost"],
        limit=row["request_limit"],
        remaining=row["remaining"],
        reset_seconds=row["reset_seconds"],
        retry_after=row["retry_after"],
    )
