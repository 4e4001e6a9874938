"""Agenda items (议题): raised by member units, put on a meeting's agenda, declined, deferred,
closed without a resolution, and commented on (协商) before the meeting."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, Conflict, NotFound
from services.core.principal import Principal
from services.core.records import Page, from_record
from services.core.validation import clean_text, optional_text
from services.councils.access import ReadScope, agenda_item_visible, council_for, may_run, member_unit
from services.councils.events import (
    AgendaItemAccepted,
    AgendaItemClosed,
    AgendaItemCommented,
    AgendaItemDeclined,
    AgendaItemDeferred,
    AgendaItemEvent,
    AgendaItemProposed,
)
from services.councils.meetings import ITEM_COLUMNS, meeting_for, open_for_records
from services.councils.models import (
    CONSTRAINTS,
    AgendaItem,
    AgendaItemStatus,
    Comment,
    Council,
    MeetingStatus,
)
from services.events.changes import record_change

COMMENT_COLUMNS = "k.id, k.agenda_item_id, k.organization_id, k.author_login, k.body, k.created_at"


@dataclass(frozen=True, slots=True)
class AgendaItemFilter:
    council_id: uuid.UUID | None = None
    status: str | None = None
    raised_by_organization_id: uuid.UUID | None = None


async def propose_agenda_item(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    council_id: uuid.UUID,
    title: str,
    description: str,
    category: str | None,
    organization_id: uuid.UUID | None = None,
) -> AgendaItem:
    """PROPOSED by a member unit (a unit that is not a member may not: FORBIDDEN)."""
    title = clean_text(title, field="title", max_length=200)
    description = clean_text(
        description, field="description", max_length=5000, required=False, multiline=True
    )
    category = optional_text(category, field="category", max_length=50)
    council = await council_for(conn, actor=actor, council_id=council_id)
    unit = await member_unit(
        conn, actor=actor, council=council, given=organization_id, field="organizationId"
    )
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""INSERT INTO council_agenda_items AS i (tenant_id, council_id, raised_by_org_id, raised_by_login,
                title, description, category)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {ITEM_COLUMNS}""",
        actor.tenant_id,
        council.id,
        unit,
        actor.login,
        title,
        description,
        category,
    )
    item = from_record(AgendaItem, row)
    await record_change(
        conn,
        actor,
        AgendaItemProposed.of(item),
        after={
            "title": title,
            "description": description,
            "category": category,
            "raisedByOrgId": unit,
            "status": item.status,
        },
    )
    return item


async def _locked(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID
) -> tuple[AgendaItem, Council]:
    row = await conn.fetchrow(
        f"SELECT {ITEM_COLUMNS} FROM council_agenda_items i WHERE i.id = $1 FOR UPDATE", item_id
    )
    if row is None or ReadScope.of(actor).partner:
        raise NotFound("no such agenda item", field="id")
    item = from_record(AgendaItem, row)
    return item, await council_for(conn, actor=actor, council_id=item.council_id, field="id")


def _expect(item: AgendaItem, allowed: set[AgendaItemStatus], target: AgendaItemStatus) -> None:
    if item.status not in allowed:
        raise Conflict(f"a {item.status.lower()} agenda item cannot become {target.lower()}")


async def _move(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    item: AgendaItem,
    status: AgendaItemStatus,
    event: type[AgendaItemEvent],
    meeting_id: uuid.UUID | None,
    reason: str | None,
) -> AgendaItem:
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""UPDATE council_agenda_items AS i SET status = $2, meeting_id = $3, reason = $4, updated_at = now()
            WHERE i.id = $1 RETURNING {ITEM_COLUMNS}""",
        item.id,
        status.value,
        meeting_id,
        reason,
    )
    after = from_record(AgendaItem, row)
    await record_change(
        conn,
        actor,
        event.of(after),
        before={"status": item.status, "meetingId": item.meeting_id, "reason": item.reason},
        after={"status": after.status, "meetingId": after.meeting_id, "reason": after.reason},
    )
    return after


async def accept_agenda_item(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, meeting_id: uuid.UUID
) -> AgendaItem:
    """PROPOSED or DEFERRED → ACCEPTED onto a meeting's agenda, by that meeting's convener."""
    item, council = await _locked(conn, actor=actor, item_id=item_id)
    meeting, _ = await meeting_for(conn, actor=actor, meeting_id=meeting_id)
    if meeting.council_id != council.id:
        raise BadUserInput("the meeting is not one of this item's council", field="meetingId")
    await may_run(conn, actor=actor, council=council, meeting=meeting)
    if meeting.status not in {MeetingStatus.SCHEDULED, MeetingStatus.HELD}:
        raise Conflict(f"the meeting is {meeting.status.lower()} and read-only")
    _expect(item, {AgendaItemStatus.PROPOSED, AgendaItemStatus.DEFERRED}, AgendaItemStatus.ACCEPTED)
    return await _move(
        conn,
        actor=actor,
        item=item,
        status=AgendaItemStatus.ACCEPTED,
        event=AgendaItemAccepted,
        meeting_id=meeting.id,
        reason=None,
    )


async def decline_agenda_item(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, reason: str
) -> AgendaItem:
    """PROPOSED or DEFERRED → DECLINED with a reason, by the host's admin."""
    reason = clean_text(reason, field="reason", max_length=1000, multiline=True)
    item, council = await _locked(conn, actor=actor, item_id=item_id)
    await may_run(conn, actor=actor, council=council, meeting=None)
    _expect(item, {AgendaItemStatus.PROPOSED, AgendaItemStatus.DEFERRED}, AgendaItemStatus.DECLINED)
    return await _move(
        conn,
        actor=actor,
        item=item,
        status=AgendaItemStatus.DECLINED,
        event=AgendaItemDeclined,
        meeting_id=None,
        reason=reason,
    )


async def defer_agenda_item(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, reason: str
) -> AgendaItem:
    """PROPOSED or ACCEPTED → DEFERRED (off the agenda) with a reason."""
    reason = clean_text(reason, field="reason", max_length=1000, multiline=True)
    item, council = await _locked(conn, actor=actor, item_id=item_id)
    meeting = None
    if item.meeting_id is not None:
        meeting, _ = await meeting_for(conn, actor=actor, meeting_id=item.meeting_id, field="id", lock=True)
        if meeting.status not in {MeetingStatus.SCHEDULED, MeetingStatus.HELD}:
            raise Conflict(f"the meeting is {meeting.status.lower()} and read-only")
    await may_run(conn, actor=actor, council=council, meeting=meeting)
    _expect(item, {AgendaItemStatus.PROPOSED, AgendaItemStatus.ACCEPTED}, AgendaItemStatus.DEFERRED)
    return await _move(
        conn,
        actor=actor,
        item=item,
        status=AgendaItemStatus.DEFERRED,
        event=AgendaItemDeferred,
        meeting_id=None,
        reason=reason,
    )


async def close_agenda_item(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, reason: str
) -> AgendaItem:
    """ACCEPTED → CLOSED at its meeting without a resolution, with a reason."""
    reason = clean_text(reason, field="reason", max_length=1000, multiline=True)
    item, _ = await _locked(conn, actor=actor, item_id=item_id)
    _expect(item, {AgendaItemStatus.ACCEPTED}, AgendaItemStatus.CLOSED)
    if item.meeting_id is None:  # an accepted item is on a meeting (a CHECK holds it)
        raise Conflict("the item is on no meeting's agenda")
    await open_for_records(conn, actor=actor, meeting_id=item.meeting_id)
    return await _move(
        conn,
        actor=actor,
        item=item,
        status=AgendaItemStatus.CLOSED,
        event=AgendaItemClosed,
        meeting_id=item.meeting_id,
        reason=reason,
    )


async def comment_on_agenda_item(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    item_id: uuid.UUID,
    body: str,
    organization_id: uuid.UUID | None = None,
) -> tuple[Comment, AgendaItem]:
    """A member unit's comment (协商) on an accepted item before its meeting is closed."""
    body = clean_text(body, field="body", max_length=2000, multiline=True)
    row = await conn.fetchrow(
        f"SELECT {ITEM_COLUMNS} FROM council_agenda_items i WHERE i.id = $1 FOR SHARE", item_id
    )
    if row is None or ReadScope.of(actor).partner:
        raise NotFound("no such agenda item", field="id")
    item = from_record(AgendaItem, row)
    council = await council_for(conn, actor=actor, council_id=item.council_id, field="id")
    unit = await member_unit(
        conn, actor=actor, council=council, given=organization_id, field="organizationId"
    )
    if item.status != AgendaItemStatus.ACCEPTED:
        raise Conflict("comments are taken on accepted items only")
    comment_row = await CONSTRAINTS.fetchrow(
        conn,
        f"""INSERT INTO council_agenda_comments AS k (tenant_id, agenda_item_id, organization_id,
            author_login, body)
            VALUES ($1, $2, $3, $4, $5) RETURNING {COMMENT_COLUMNS}""",
        actor.tenant_id,
        item.id,
        unit,
        actor.login,
        body,
    )
    comment = from_record(Comment, comment_row)
    await record_change(
        conn,
        actor,
        AgendaItemCommented.of(item, comment_id=str(comment.id), comment_org_id=str(unit)),
        after={"body": body, "organizationId": unit},
        entity_id=str(comment.id),
    )
    return comment, item


_FILTER = f"""
FROM council_agenda_items i
WHERE {agenda_item_visible("i", "$1")}
  AND ($2::uuid IS NULL OR i.council_id = $2)
  AND ($3::text IS NULL OR i.status = $3)
  AND ($4::uuid IS NULL OR i.raised_by_org_id = $4)
"""


# The read scope and the filter ($1–$4 from ``filter_params``), then a page ($5 cursor, $6
# size), oldest first; the compiled reads run the same statements (schema/councils/compiled.py).
PAGE_SQL = f"SELECT {ITEM_COLUMNS} {_FILTER} AND ($5::uuid IS NULL OR i.id > $5) ORDER BY i.id LIMIT $6"
COUNT_SQL = f"SELECT count(*) {_FILTER}"
# $1 whether the caller is a partner, $2 the item's id.
BY_ID_SQL = (
    f"SELECT {ITEM_COLUMNS} FROM council_agenda_items i WHERE i.id = $2 AND {agenda_item_visible('i', '$1')}"
)
# $1 whether the caller is a partner, $2 the comment's id: seen where its item is.
COMMENT_BY_ID_SQL = (
    f"SELECT {COMMENT_COLUMNS} FROM council_agenda_comments k JOIN council_agenda_items i"
    f" ON i.tenant_id = k.tenant_id AND i.id = k.agenda_item_id"
    f" WHERE k.id = $2 AND {agenda_item_visible('i', '$1')}"
)


def filter_params(*, actor: Principal, filter: AgendaItemFilter) -> list[Any]:
    """The read scope and the filter as ``$1``–``$4`` of ``PAGE_SQL`` and ``COUNT_SQL``;
    BAD_USER_INPUT for a status that is none."""
    if filter.status is not None and filter.status not in AgendaItemStatus.__members__:
        raise BadUserInput("status is not an agenda item status", field="status")
    return [
        ReadScope.of(actor).partner,
        filter.council_id,
        filter.status,
        filter.raised_by_organization_id,
    ]


async def list_agenda_items(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    filter: AgendaItemFilter,
    first: int,
    after: uuid.UUID | None,
    count: bool = True,
) -> Page[AgendaItem]:
    """One page of the agenda items the caller may see (``agenda_item_visible``), oldest first."""
    args = filter_params(actor=actor, filter=filter)
    rows = await conn.fetch(PAGE_SQL, *args, after, first + 1)
    total = await conn.fetchval(COUNT_SQL, *args) if count else None
    return Page(
        items=[from_record(AgendaItem, r) for r in rows[:first]],
        total=int(total or 0),
        has_next=len(rows) > first,
    )


async def items_of_meetings(
    conn: asyncpg.Connection, *, meeting_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AgendaItem]]:
    rows = await conn.fetch(
        f"SELECT {ITEM_COLUMNS} FROM council_agenda_items i WHERE "
        f"i.meeting_id = ANY($1::uuid[]) ORDER BY i.id",
        list(meeting_ids),
    )
    found: dict[uuid.UUID, list[AgendaItem]] = {mid: [] for mid in meeting_ids}
    for row in rows:
        found[row["meeting_id"]].append(from_record(AgendaItem, row))
    return found


async def comments_of(
    conn: asyncpg.Connection, *, item_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Comment]]:
    rows = await conn.fetch(
        f"SELECT {COMMENT_COLUMNS} FROM council_agenda_comments k WHERE k.agenda_item_id = ANY($1::uuid[])"
        " ORDER BY k.id",
        list(item_ids),
    )
    found: dict[uuid.UUID, list[Comment]] = {iid: [] for iid in item_ids}
    for row in rows:
        found[row["agenda_item_id"]].append(from_record(Comment, row))
    return found


async def agenda_item_by_id(conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID) -> AgendaItem:
    """One agenda item, seen as ``list_agenda_items`` sees it; NOT_FOUND otherwise (also for
    another tenant's id)."""
    row = await conn.fetchrow(BY_ID_SQL, ReadScope.of(actor).partner, item_id)
    if row is None:
        raise NotFound("no such agenda item", field="id")
    return from_record(AgendaItem, row)


async def comment_by_id(conn: asyncpg.Connection, *, actor: Principal, comment_id: uuid.UUID) -> Comment:
    """One comment, seen exactly where its agenda item is; NOT_FOUND otherwise."""
    row = await conn.fetchrow(COMMENT_BY_ID_SQL, ReadScope.of(actor).partner, comment_id)
    if row is None:
        raise NotFound("no such comment", field="id")
    return from_record(Comment, row)
