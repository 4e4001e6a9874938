"""Signing and terminating agreements (签约、终止).

A signature is for the latest version and one side; the agreement's row lock makes
signatures take turns, so the second side's signature sees the first and the agreement
becomes SIGNED exactly once. The database is the last word: one signature per side and
version, one side per account, and a signed version never changes again.
"""

from __future__ import annotations

import uuid

import asyncpg

from services.cobuilding.access import require_party_admin, side_to_act_for, sides_managed
from services.cobuilding.agreements import event_of, locked_agreement, reread
from services.cobuilding.events import AgreementSignatureAdded, AgreementSigned, AgreementTerminated
from services.cobuilding.models import CONSTRAINTS, Agreement, Side
from services.core.errors import Conflict, Forbidden
from services.core.principal import Principal
from services.core.validation import clean_text
from services.events.changes import record_change


async def sign_agreement(
    conn: asyncpg.Connection, *, actor: Principal, agreement_id: uuid.UUID, side: Side | None = None
) -> Agreement:
    """Sign the latest version for the caller's side; the second side's signature signs it."""
    current = await locked_agreement(conn, actor=actor, agreement_id=agreement_id)
    sides = await sides_managed(conn, actor, current)
    if not sides:
        raise Forbidden("only the admins of the agreement's parties may sign it")
    chosen = side_to_act_for(sides, side)
    if current.stored_status == "TERMINATED":
        raise Conflict("a terminated agreement cannot be signed")
    if current.signed_version == current.latest_version:
        raise Conflict("the latest version is signed already")
    version = current.latest_version
    organization_id = current.enterprise_org_id if chosen == Side.ENTERPRISE else current.local_org_id
    await CONSTRAINTS.execute(
        conn,
        "INSERT INTO cobuilding_signatures (tenant_id, agreement_id, version, side,"
        " organization_id, account_id, login)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        actor.tenant_id,
        agreement_id,
        version,
        chosen.value,
        organization_id,
        actor.account_id,
        actor.login,
    )
    await record_change(
        conn,
        actor,
        event_of(AgreementSignatureAdded, current, side=chosen.value, organization_id=str(organization_id)),
        after={"version": version, "side": chosen.value, "organizationId": str(organization_id)},
        entity_id=f"{agreement_id}/{version}/{chosen.value}",
    )
    signed_sides = await conn.fetchval(
        "SELECT count(*) FROM cobuilding_signatures WHERE agreement_id = $1 AND version = $2",
        agreement_id,
        version,
    )
    if signed_sides < 2:
        return await reread(conn, agreement_id)
    await CONSTRAINTS.execute(
        conn,
        "UPDATE cobuilding_agreement_versions SET signed_at = now() WHERE agreement_id = $1 AND version = $2",
        agreement_id,
        version,
    )
    await conn.execute(
        "UPDATE cobuilding_agreements SET status = 'SIGNED', signed_version = $2, updated_at = now()"
        " WHERE id = $1",
        agreement_id,
        version,
    )
    signed = await reread(conn, agreement_id)
    await record_change(
        conn,
        actor,
        event_of(AgreementSigned, signed),
        before={"status": current.stored_status, "signedVersion": current.signed_version},
        after={"status": signed.stored_status, "signedVersion": version},
    )
    return signed


async def terminate_agreement(
    conn: asyncpg.Connection, *, actor: Principal, agreement_id: uuid.UUID, reason: str
) -> Agreement:
    """End a signed agreement early, with the reason; its history stays."""
    reason = clean_text(reason, field="reason", max_length=1000, multiline=True)
    current = await locked_agreement(conn, actor=actor, agreement_id=agreement_id)
    await require_party_admin(conn, actor, current, "terminate it")
    if current.stored_status != "SIGNED":
        raise Conflict(f"a {current.status.lower()} agreement cannot be terminated")
    await conn.execute(
        "UPDATE cobuilding_agreements SET status = 'TERMINATED', termination_reason = $2,"
        " terminated_at = now(),"
        " updated_at = now() WHERE id = $1",
        agreement_id,
        reason,
    )
    terminated = await reread(conn, agreement_id)
    await record_change(
        conn,
        actor,
        event_of(AgreementTerminated, terminated, reason=reason),
        before={"status": current.status.value},
        after={"status": terminated.status.value, "reason": reason},
    )
    return terminated
