"""The life of an item: progress, submit, sign off (销号), return, cancel, change the due date.

Each verb locks the item's row, checks who may take the step and that the current status
allows it (a wrong step is a CONFLICT), then writes the change, its history step, its audit
row and its event in one transaction. Two sign-offs of one item cannot both commit: the second
waits for the first's row lock and then finds it signed off. The database refuses a sign-off
by the person who submitted, whatever the application does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.core.errors import Conflict, Forbidden, NotFound
from services.core.principal import Principal
from services.core.validation import clean_text, optional_text
from services.events.changes import record_change
from services.ledger import rules
from services.ledger.access import ReadScope, require_manager
from services.ledger.events import (
    LedgerItemCancelled,
    LedgerItemDueDateChanged,
    LedgerItemEvent,
    LedgerItemProgressed,
    LedgerItemReturned,
    LedgerItemSignedOff,
    LedgerItemSubmitted,
)
from services.ledger.models import LedgerItem, LedgerStatus
from services.ledger.rows import COLUMNS, add_step, audit_view, fetch_one_or_none, item_from_record

_WORKING = {LedgerStatus.OPEN, LedgerStatus.IN_PROGRESS}
_OPEN = {LedgerStatus.OPEN, LedgerStatus.IN_PROGRESS, LedgerStatus.SUBMITTED}


async def _locked(conn: asyncpg.Connection, actor: Principal, item_id: uuid.UUID) -> LedgerItem:
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM ledger_items i WHERE i.id = $1 FOR UPDATE", item_id)
    if row is None:
        raise NotFound("no such ledger item", field="id")
    item = item_from_record(row)
    if not (await ReadScope.of(conn, actor)).admits(item):
        raise Forbidden("this item is outside your organisation's ledger")
    return item


def _expect(item: LedgerItem, allowed: set[LedgerStatus], verb: str) -> None:
    if item.status not in allowed:
        raise Conflict(f"a {item.status.lower().replace('_', ' ')} item cannot be {verb}")


async def _write(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    before: LedgerItem,
    sets: str,
    args: list[Any],
    action: str,
    event: type[LedgerItemEvent],
    note: str | None = None,
    percent: int | None = None,
) -> LedgerItem:
    """``UPDATE … SET {sets}`` (parameters from $2), then the step, the audit row and the event."""
    row = await fetch_one_or_none(
        conn,
        f"UPDATE ledger_items AS i SET {sets}, updated_at = now() WHERE i.id = $1 RETURNING {COLUMNS}",
        before.id,
        *args,
    )
    assert row is not None
    after = item_from_record(row)
    await add_step(
        conn, actor=actor, item=after, action=action, note=note, percent=percent, due_date=after.due_date
    )
    await record_change(
        conn, actor, event.of(after, note=note), before=audit_view(before), after=audit_view(after)
    )
    return after


async def report_progress(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, note: str, percent: int | None
) -> LedgerItem:
    """OPEN or IN_PROGRESS → IN_PROGRESS, with a note and a percentage (进展)."""
    rules.check_percent(percent)
    note = clean_text(note, field="note", max_length=5000, multiline=True)
    item = await _locked(conn, actor, item_id)
    await require_manager(conn, actor, item.responsible_organization_id, doing="report progress on this item")
    _expect(item, _WORKING, "progressed")
    return await _write(
        conn,
        actor=actor,
        before=item,
        sets="status = 'IN_PROGRESS', percent = coalesce($2, percent)",
        args=[percent],
        action="PROGRESSED",
        event=LedgerItemProgressed,
        note=note,
        percent=percent,
    )


async def submit_for_sign_off(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    item_id: uuid.UUID,
    evidence: str,
    evidence_links: list[str] | None = None,
) -> LedgerItem:
    """OPEN or IN_PROGRESS → SUBMITTED, with evidence, for the level above to sign off."""
    evidence = clean_text(evidence, field="evidence", max_length=5000, multiline=True)
    links = rules.clean_links(evidence_links or [])
    item = await _locked(conn, actor, item_id)
    await require_manager(conn, actor, item.responsible_organization_id, doing="submit this item")
    _expect(item, _WORKING, "submitted")
    return await _write(
        conn,
        actor=actor,
        before=item,
        sets="status = 'SUBMITTED', evidence = $2, evidence_links = $3,"
        " submitted_by = $4, submitted_at = now()",
        args=[evidence, links, actor.account_id],
        action="SUBMITTED",
        event=LedgerItemSubmitted,
        note=evidence,
    )


async def sign_off(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, comment: str | None = None
) -> LedgerItem:
    """SUBMITTED → SIGNED_OFF (销号) by an admin of the assigning organisation or one above it,
    never by the person who submitted it."""
    comment = optional_text(comment, field="comment", max_length=2000, multiline=True)
    item = await _locked(conn, actor, item_id)
    await require_manager(conn, actor, item.assigning_organization_id, doing="sign off this item")
    _expect(item, {LedgerStatus.SUBMITTED}, "signed off")
    if item.submitted_by is not None and item.submitted_by == actor.account_id:
        raise Forbidden("nobody signs off their own submission")
    return await _write(
        conn,
        actor=actor,
        before=item,
        sets="status = 'SIGNED_OFF', percent = 100, signed_off_by = $2, signed_off_at = now()",
        args=[actor.account_id],
        action="SIGNED_OFF",
        event=LedgerItemSignedOff,
        note=comment,
    )


async def return_item(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, reason: str
) -> LedgerItem:
    """SUBMITTED → IN_PROGRESS with a reason (退回), by whoever may sign it off."""
    reason = clean_text(reason, field="reason", max_length=2000, multiline=True)
    item = await _locked(conn, actor, item_id)
    await require_manager(conn, actor, item.assigning_organization_id, doing="return this item")
    _expect(item, {LedgerStatus.SUBMITTED}, "returned")
    return await _write(
        conn,
        actor=actor,
        before=item,
        sets="status = 'IN_PROGRESS', submitted_by = NULL, submitted_at = NULL",
        args=[],
        action="RETURNED",
        event=LedgerItemReturned,
        note=reason,
    )


async def cancel_item(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, reason: str
) -> LedgerItem:
    """Any open status → CANCELLED with a reason, by the assigner (or one above it)."""
    reason = clean_text(reason, field="reason", max_length=2000, multiline=True)
    item = await _locked(conn, actor, item_id)
    await require_manager(conn, actor, item.assigning_organization_id, doing="cancel this item")
    _expect(item, _OPEN, "cancelled")
    return await _write(
        conn,
        actor=actor,
        before=item,
        sets="status = 'CANCELLED', cancelled_at = now()",
        args=[],
        action="CANCELLED",
        event=LedgerItemCancelled,
        note=reason,
    )


async def change_due_date(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, due_date: dt.date, reason: str
) -> LedgerItem:
    """A new due date for an open item, by the assigner; its deadline notices are re-armed."""
    reason = clean_text(reason, field="reason", max_length=2000, multiline=True)
    item = await _locked(conn, actor, item_id)
    await require_manager(conn, actor, item.assigning_organization_id, doing="change this item's due date")
    rules.check_due_date(due_date, year=item.year)
    _expect(item, _OPEN, "rescheduled")
    if due_date == item.due_date:
        raise Conflict("the item is already due on that date")
    return await _write(
        conn,
        actor=actor,
        before=item,
        sets="due_date = $2, due_revision = due_revision + 1",
        args=[due_date],
        action="DUE_DATE_CHANGED",
        event=LedgerItemDueDateChanged,
        note=reason,
    )
