"""Transfers of organisational relationships (组织关系转接), as each side acts on its own rows.

REQUESTED → APPROVED_OUT (the sending branch lets the member go) → ACCEPTED (the receiving
branch takes them on), or REJECTED with a reason at either step, or CANCELLED by the sender.
Within one district a single row carries both sides. Towards another district the sending
row names the tenant and the credit code only: the sender cannot read the other district, so
an unknown tenant and an unknown credit code get the same answer, later, as REJECTED with
``UNDELIVERABLE`` (``services.orglife.handover`` carries it over by events).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import asyncpg

from services.core.errors import BadUserInput, Conflict, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text, optional_text
from services.events.changes import Actor, record_change
from services.orglife.access import require_manager
from services.orglife.events import (
    MemberUpdated,
    TransferAccepted,
    TransferApprovedOut,
    TransferCancelled,
    TransferRejected,
    TransferRequested,
)
from services.orglife.members import MemberData, fetch_member, insert_member, today
from services.orglife.models import CONSTRAINTS, Member, Transfer, TransferStatus

# The sending and receiving branches as this district knows them: an OUT row's branch sends, an
# IN row's receives; an OUT row within the district names the receiver too.
COLUMNS = """t.id, t.tenant_id, t.member_id,
CASE WHEN t.direction = 'OUT' THEN t.organization_id END AS from_organization_id,
CASE WHEN t.direction = 'IN' THEN t.organization_id ELSE t.to_organization_id END AS to_organization_id,
t.to_tenant, t.to_credit_code, t.origin_tenant_id, t.origin_transfer_id, t.origin_tenant,
t.origin_organization, t.member_name, t.joined_on, t.member_status, t.full_member_on, t.letter_number,
t.reason, t.status, t.rejection_reason, t.report_by, t.approved_out_at, t.accepted_on, t.closed_at,
t.created_at, t.updated_at"""
# The one answer for a target that cannot take the member: unknown district or credit code alike.
UNDELIVERABLE = "目标组织不存在或不接收转入 (no organisation with that credit code takes transfers there)"
REPORT_WITHIN_DAYS = 30  # 介绍信有效期
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


async def fetch_transfer(conn: asyncpg.Connection, transfer_id: uuid.UUID, *, lock: bool = False) -> Transfer:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM member_transfers t WHERE t.id = $1" + (" FOR UPDATE" if lock else ""),
        transfer_id,
    )
    if row is None:
        raise NotFound("no such transfer")
    return from_record(Transfer, row)


async def request_transfer(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    member_id: uuid.UUID,
    to_tenant: str,
    to_credit_code: str,
    letter_number: str | None,
    reason: str | None,
    report_by: dt.date | None = None,
) -> Transfer:
    """The member's branch starts a transfer (转出申请)."""
    member = await fetch_member(conn, member_id, lock=True)
    await require_manager(conn, actor, member.organization_id, doing="transfer its members")
    if member.left_on is not None:
        raise BadUserInput("the member has moved to another district already", field="memberId")
    slug = to_tenant.strip().lower()
    if not _SLUG.match(slug):
        raise BadUserInput("toTenant is not a district's name", field="toTenant")
    code = to_credit_code.strip().upper()
    if not _CREDIT_CODE.match(code):
        raise BadUserInput("toOrganizationCreditCode is not a credit code", field="toOrganizationCreditCode")
    letter = optional_text(letter_number, field="letterNumber", max_length=50)
    why = optional_text(reason, field="reason", max_length=500, multiline=True)
    now = await today(conn)
    deadline = report_by or now + dt.timedelta(days=REPORT_WITHIN_DAYS)
    if deadline < now:
        raise BadUserInput("the report-by date has passed", field="reportBy")
    to_organization_id: uuid.UUID | None = None
    if slug == actor.tenant_slug:
        to_organization_id = await conn.fetchval(
            "SELECT id FROM organizations WHERE credit_code = $1 AND archived_at IS NULL", code
        )
        if to_organization_id is None:
            raise BadUserInput(UNDELIVERABLE, field="toOrganizationCreditCode")
        if to_organization_id == member.organization_id:
            raise BadUserInput("that is the member's own branch", field="toOrganizationCreditCode")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        INSERT INTO member_transfers AS t (tenant_id, direction, member_id, organization_id,
            to_organization_id, to_tenant, to_credit_code, member_name, joined_on, member_status,
            full_member_on, letter_number, reason, report_by)
        VALUES ($1, 'OUT', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {COLUMNS}
        """,
        actor.tenant_id,
        member.id,
        member.organization_id,
        to_organization_id,
        slug,
        code,
        member.name,
        member.joined_on,
        member.status,
        member.full_member_on,
        letter,
        why,
        deadline,
    )
    transfer = from_record(Transfer, row)
    await record_change(conn, actor, TransferRequested.of(transfer), after={"status": transfer.status})
    return transfer


async def set_status(
    conn: asyncpg.Connection,
    actor: Actor,
    transfer: Transfer,
    *,
    status: TransferStatus,
    reason: str | None = None,
    accepted_on: dt.date | None = None,
) -> Transfer:
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        UPDATE member_transfers t SET status = $2, rejection_reason = $3, accepted_on = $4,
               updated_at = now(),
               approved_out_at = CASE WHEN $2 = 'APPROVED_OUT' THEN now() ELSE approved_out_at END,
               closed_at = CASE WHEN $2 IN ('ACCEPTED', 'REJECTED', 'CANCELLED') THEN now() ELSE NULL END
        WHERE t.id = $1 RETURNING {COLUMNS}
        """,
        transfer.id,
        status.value,
        reason,
        accepted_on,
    )
    changed = from_record(Transfer, row)
    event = {
        TransferStatus.ACCEPTED: TransferAccepted,
        TransferStatus.REJECTED: TransferRejected,
        TransferStatus.CANCELLED: TransferCancelled,
    }
    if status == TransferStatus.APPROVED_OUT:
        origin = await conn.fetchval(
            "SELECT name FROM organizations WHERE id = $1", changed.from_organization_id
        )
        slug = await conn.fetchval("SELECT slug FROM alliances WHERE id = $1", changed.tenant_id)
        await record_change(
            conn,
            actor,
            TransferApprovedOut.handing_over(changed, origin_tenant=slug, origin_organization=origin),
            before={"status": transfer.status},
            after={"status": changed.status},
        )
    else:
        await record_change(
            conn,
            actor,
            event[status].of(changed),
            before={"status": transfer.status},
            after={"status": changed.status},
        )
    return changed


def _require_status(transfer: Transfer, *allowed: TransferStatus) -> None:
    if transfer.status not in allowed:
        raise Conflict(f"the transfer is {transfer.status}")


async def approve_transfer_out(
    conn: asyncpg.Connection, *, actor: Principal, transfer_id: uuid.UUID
) -> Transfer:
    """The sending side lets the member go (同意转出); across districts the hand-over starts."""
    transfer = await fetch_transfer(conn, transfer_id, lock=True)
    if transfer.from_organization_id is None:
        raise Conflict("the sending district approves this transfer, not the receiving one")
    await require_manager(conn, actor, transfer.from_organization_id, doing="approve its transfers out")
    _require_status(transfer, TransferStatus.REQUESTED)
    return await set_status(conn, actor, transfer, status=TransferStatus.APPROVED_OUT)


async def move_member(
    conn: asyncpg.Connection,
    actor: Actor,
    member: Member,
    *,
    to_organization_id: uuid.UUID | None,
    on: dt.date,
    transfer_id: uuid.UUID,
) -> None:
    """Close the member's open membership on ``on``; open the next one (same district) or mark
    the member as gone (another district). History stays on both sides."""
    await conn.execute(
        "UPDATE party_memberships SET to_on = $2, transfer_id = coalesce(transfer_id, $3)"
        " WHERE member_id = $1 AND to_on IS NULL",
        member.id,
        on,
        transfer_id,
    )
    if to_organization_id is not None:
        await conn.execute(
            "INSERT INTO party_memberships (tenant_id, member_id, organization_id, from_on, transfer_id)"
            " VALUES ($1, $2, $3, $4, $5)",
            actor.tenant_id,
            member.id,
            to_organization_id,
            on,
            transfer_id,
        )
    row = await CONSTRAINTS.fetchrow(
        conn,
        "UPDATE party_members SET organization_id = coalesce($2, organization_id),"
        " left_on = CASE WHEN $2::uuid IS NULL THEN $3::date END, updated_at = now()"
        " WHERE id = $1 RETURNING id, organization_id, status",
        member.id,
        to_organization_id,
        on,
    )
    await record_change(
        conn,
        actor,
        MemberUpdated(id=str(row["id"]), organization_id=str(row["organization_id"]), status=row["status"]),
        before={"organizationId": str(member.organization_id), "leftOn": None},
        after={
            "organizationId": str(row["organization_id"]),
            "leftOn": None if to_organization_id else on.isoformat(),
        },
    )


async def accept_transfer(conn: asyncpg.Connection, *, actor: Principal, transfer_id: uuid.UUID) -> Transfer:
    """The receiving branch takes the member on (接收) from today."""
    transfer = await fetch_transfer(conn, transfer_id, lock=True)
    if transfer.to_organization_id is None:
        raise Conflict("the receiving district accepts this transfer, not the sending one")
    await require_manager(conn, actor, transfer.to_organization_id, doing="accept transfers into it")
    _require_status(transfer, TransferStatus.APPROVED_OUT)
    on = await today(conn)
    if transfer.from_organization_id is not None and transfer.member_id is not None:
        member = await fetch_member(conn, transfer.member_id, lock=True)
        await move_member(
            conn,
            actor,
            member,
            to_organization_id=transfer.to_organization_id,
            on=on,
            transfer_id=transfer.id,
        )
    else:
        data = MemberData(
            name=transfer.member_name,
            joined_on=transfer.joined_on,
            status=transfer.member_status,
            full_member_on=transfer.full_member_on,
            phone=None,
        )
        member = await insert_member(
            conn,
            actor=actor,
            organization_id=transfer.to_organization_id,
            data=data,
            member_since=on,
            transfer_id=transfer.id,
        )
        await conn.execute("UPDATE member_transfers SET member_id = $2 WHERE id = $1", transfer.id, member.id)
        transfer = await fetch_transfer(conn, transfer.id)
    return await set_status(conn, actor, transfer, status=TransferStatus.ACCEPTED, accepted_on=on)


async def reject_transfer(
    conn: asyncpg.Connection, *, actor: Principal, transfer_id: uuid.UUID, reason: str
) -> Transfer:
    """Either side refuses with a reason: the sender before approving, the receiver after."""
    why = clean_text(reason, field="reason", max_length=500, multiline=True)
    transfer = await fetch_transfer(conn, transfer_id, lock=True)
    if transfer.status == TransferStatus.REQUESTED and transfer.from_organization_id is not None:
        await require_manager(conn, actor, transfer.from_organization_id, doing="reject its transfers")
    elif transfer.status == TransferStatus.APPROVED_OUT and transfer.to_organization_id is not None:
        await require_manager(conn, actor, transfer.to_organization_id, doing="reject transfers into it")
    else:
        raise Conflict(f"the transfer is {transfer.status}; it cannot be rejected here")
    return await set_status(conn, actor, transfer, status=TransferStatus.REJECTED, reason=why)


async def cancel_transfer(conn: asyncpg.Connection, *, actor: Principal, transfer_id: uuid.UUID) -> Transfer:
    """The sending side withdraws a transfer not yet accepted (撤回)."""
    transfer = await fetch_transfer(conn, transfer_id, lock=True)
    if transfer.from_organization_id is None:
        raise Conflict("only the sending district cancels a transfer")
    await require_manager(conn, actor, transfer.from_organization_id, doing="cancel its transfers")
    _require_status(transfer, TransferStatus.REQUESTED, TransferStatus.APPROVED_OUT)
    return await set_status(conn, actor, transfer, status=TransferStatus.CANCELLED)
