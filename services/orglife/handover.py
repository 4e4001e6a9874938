"""The hand-over between districts (跨区转接): event handlers of the ``orglife-transfers`` service.

Each district's rows are written only under that district's row-level security, by events:
- the sender's ``member_transfer.approved_out`` creates the receiver's IN row (once: a unique
  index on the origin's ids, besides the inbox) and records ``member_transfer.received`` there;
  an unknown district or credit code instead turns the sender's row REJECTED with the one
  ``UNDELIVERABLE`` reason, so the sender learns nothing of the other district;
- the receiver's ``accepted`` / ``rejected`` on an IN row closes the sender's row (the member
  leaves the sending branch from the accepted day, history kept);
- the sender's ``cancelled`` after approval withdraws the receiver's IN row.
Nothing reads across districts: the tenant registry (``alliances``) is public by design.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.core.records import from_record
from services.events.changes import SystemActor, record_change
from services.events.consumer import set_tenant
from services.events.envelope import Envelope
from services.orglife.events import (
    TransferAccepted,
    TransferApprovedOut,
    TransferCancelled,
    TransferEvent,
    TransferReceived,
    TransferRejected,
)
from services.orglife.members import fetch_member
from services.orglife.models import Transfer, TransferStatus
from services.orglife.transfers import COLUMNS, UNDELIVERABLE, move_member, set_status

SERVICE = "orglife-transfers"
ACTOR_LOGIN = "orglife-handover"


async def _tenant_of(conn: asyncpg.Connection, slug: str) -> uuid.UUID | None:
    found = await conn.fetchval("SELECT id FROM alliances WHERE slug = $1", slug)
    return None if found is None else uuid.UUID(str(found))


async def _locked(conn: asyncpg.Connection, sql_where: str, *args: object) -> Transfer | None:
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM member_transfers t WHERE {sql_where} FOR UPDATE", *args)
    return None if row is None else from_record(Transfer, row)


async def on_approved_out(conn: asyncpg.Connection, event: TransferApprovedOut, envelope: Envelope) -> None:
    if event.to_organization_id is not None:
        return  # within one district: nothing travels
    origin_tenant_id = uuid.UUID(envelope.tenant)
    target = await _tenant_of(conn, event.to_tenant)
    organization_id = None
    if target is not None and target != origin_tenant_id:
        await set_tenant(conn, target)
        organization_id = await conn.fetchval(
            "SELECT id FROM organizations WHERE credit_code = $1 AND archived_at IS NULL",
            event.to_credit_code,
        )
    if target is None or organization_id is None:
        await set_tenant(conn, origin_tenant_id)
        sending = await _locked(conn, "t.id = $1", uuid.UUID(event.id))
        if sending is not None and sending.status == TransferStatus.APPROVED_OUT:
            actor = SystemActor(tenant_id=origin_tenant_id, login=ACTOR_LOGIN)
            await set_status(conn, actor, sending, status=TransferStatus.REJECTED, reason=UNDELIVERABLE)
        return
    row = await conn.fetchrow(
        f"""
        INSERT INTO member_transfers AS t (tenant_id, direction, organization_id, to_tenant, to_credit_code,
            origin_tenant_id,
            origin_transfer_id, origin_tenant, origin_organization, member_name, joined_on, member_status,
            full_member_on, letter_number, status, report_by, approved_out_at)
        VALUES ($1, 'IN', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'APPROVED_OUT', $14, now())
        ON CONFLICT (tenant_id, origin_tenant_id, origin_transfer_id) WHERE origin_transfer_id IS NOT NULL
        DO NOTHING
        RETURNING {COLUMNS}
        """,
        target,
        organization_id,
        event.to_tenant,
        event.to_credit_code,
        origin_tenant_id,
        uuid.UUID(event.id),
        event.origin_tenant,
        event.origin_organization,
        event.member_name,
        dt.date.fromisoformat(event.joined_on),
        event.member_status,
        dt.date.fromisoformat(event.full_member_on) if event.full_member_on else None,
        event.letter_number,
        dt.date.fromisoformat(event.report_by),
    )
    if row is not None:
        received = from_record(Transfer, row)
        actor = SystemActor(tenant_id=target, login=ACTOR_LOGIN)
        await record_change(conn, actor, TransferReceived.of(received), after={"status": received.status})


async def on_receiver_decided(conn: asyncpg.Connection, event: TransferEvent, envelope: Envelope) -> None:
    """The receiving district accepted or rejected its IN row: the sender's row follows."""
    if event.origin_tenant_id is None or event.origin_transfer_id is None:
        return  # a sending row's own change
    origin = uuid.UUID(event.origin_tenant_id)
    await set_tenant(conn, origin)
    sending = await _locked(conn, "t.id = $1", uuid.UUID(event.origin_transfer_id))
    if sending is None or sending.status != TransferStatus.APPROVED_OUT:
        return
    actor = SystemActor(tenant_id=origin, login=ACTOR_LOGIN)
    if isinstance(event, TransferAccepted) and event.accepted_on is not None:
        on = dt.date.fromisoformat(event.accepted_on)
        if sending.member_id is not None:
            member = await fetch_member(conn, sending.member_id, lock=True)
            await move_member(conn, actor, member, to_organization_id=None, on=on, transfer_id=sending.id)
        await set_status(conn, actor, sending, status=TransferStatus.ACCEPTED, accepted_on=on)
    elif isinstance(event, TransferRejected):
        await set_status(
            conn,
            actor,
            sending,
            status=TransferStatus.REJECTED,
            reason=event.rejection_reason or UNDELIVERABLE,
        )


async def on_sender_cancelled(conn: asyncpg.Connection, event: TransferCancelled, envelope: Envelope) -> None:
    """The sender withdrew a transfer it had approved: the receiver's IN row is cancelled."""
    if event.to_organization_id is not None or event.from_organization_id is None:
        return
    target = await _tenant_of(conn, event.to_tenant)
    if target is None:
        return
    await set_tenant(conn, target)
    receiving = await _locked(
        conn,
        "t.origin_tenant_id = $1 AND t.origin_transfer_id = $2",
        uuid.UUID(envelope.tenant),
        uuid.UUID(event.id),
    )
    if receiving is not None and receiving.status == TransferStatus.APPROVED_OUT:
        actor = SystemActor(tenant_id=target, login=ACTOR_LOGIN)
        await set_status(conn, actor, receiving, status=TransferStatus.CANCELLED)
