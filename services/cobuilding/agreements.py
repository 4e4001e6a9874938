"""Co-building agreements (共建协议): drafting and revising. Every edit is a new version."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import orjson

from services.cobuilding.access import Scope, require_party_admin
from services.cobuilding.events import AgreementDrafted, AgreementEvent, AgreementRevised
from services.cobuilding.models import CONSTRAINTS, Agreement, Target
from services.cobuilding.reads import AGREEMENT_COLUMNS, AGREEMENT_FROM, agreement_from_record, get_agreement
from services.core.errors import BadUserInput, Conflict, Forbidden, NotFound
from services.core.principal import Principal
from services.core.validation import clean_text, optional_text
from services.directory.reads import may_manage
from services.events.changes import record_change

MAX_COMMITMENTS = 30
MAX_TARGETS = 10


@dataclass(frozen=True, slots=True)
class CommitmentInput:
    dimension_code: str
    enterprise_commitment: str
    local_commitment: str
    targets: Sequence[Target] = ()


def event_of(cls: type[AgreementEvent], agreement: Agreement, **more: object) -> AgreementEvent:
    return cls(
        id=str(agreement.id),
        title=agreement.title,
        status=agreement.status.value,
        agreement_version=agreement.latest_version,
        enterprise_org_id=str(agreement.enterprise_org_id),
        local_org_id=str(agreement.local_org_id),
        **more,  # type: ignore[arg-type]
    )


def _clean_targets(targets: Sequence[Target]) -> list[dict[str, object]]:
    if len(targets) > MAX_TARGETS:
        raise BadUserInput(f"at most {MAX_TARGETS} targets per commitment", field="commitments")
    cleaned = []
    for target in targets:
        value = target.value
        if not value.is_finite() or abs(value) > decimal.Decimal("1e12") or value.as_tuple().exponent < -4:  # type: ignore[operator]
            raise BadUserInput(
                "a target value is a finite decimal with at most 4 places", field="commitments"
            )
        cleaned.append(
            Target(
                name=clean_text(target.name, field="commitments", max_length=100),
                value=value,
                unit=optional_text(target.unit, field="commitments", max_length=20),
            ).to_json()
        )
    return cleaned


async def _write_version(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    agreement_id: uuid.UUID,
    version: int,
    title: str,
    start_date: dt.date,
    end_date: dt.date,
    commitments: Sequence[CommitmentInput],
) -> None:
    """One version's content and its commitments; unknown or retired dimensions are refused."""
    if not commitments:
        raise BadUserInput("an agreement commits to at least one dimension", field="commitments")
    if len(commitments) > MAX_COMMITMENTS:
        raise BadUserInput(f"at most {MAX_COMMITMENTS} commitments", field="commitments")
    codes = [c.dimension_code.strip().upper() for c in commitments]
    rows = await conn.fetch(
        "SELECT code, id, retired_at IS NULL AS active FROM cobuilding_dimensions WHERE code ="
        " ANY($1::text[])",
        codes,
    )
    known = {row["code"]: row for row in rows}
    for code in codes:
        if code not in known:
            raise BadUserInput(f"no dimension {code!r} in this alliance's catalogue", field="commitments")
        if not known[code]["active"]:
            raise BadUserInput(f"dimension {code!r} is retired", field="commitments")
    await CONSTRAINTS.execute(
        conn,
        "INSERT INTO cobuilding_agreement_versions (tenant_id, agreement_id, version, title,"
        " start_date, end_date,"
        " created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        actor.tenant_id,
        agreement_id,
        version,
        clean_text(title, field="title", max_length=200),
        start_date,
        end_date,
        actor.login,
    )
    for code, commitment in zip(codes, commitments, strict=True):
        await CONSTRAINTS.execute(
            conn,
            "INSERT INTO cobuilding_commitments (tenant_id, agreement_id, version, dimension_id,"
            " enterprise_commitment, local_commitment, targets) VALUES ($1, $2, $3, $4, $5, $6,"
            " $7::text::jsonb)",
            actor.tenant_id,
            agreement_id,
            version,
            known[code]["id"],
            clean_text(
                commitment.enterprise_commitment, field="commitments", max_length=2000, multiline=True
            ),
            clean_text(commitment.local_commitment, field="commitments", max_length=2000, multiline=True),
            orjson.dumps(_clean_targets(commitment.targets)).decode(),
        )


async def reread(conn: asyncpg.Connection, agreement_id: uuid.UUID) -> Agreement:
    row = await conn.fetchrow(f"SELECT {AGREEMENT_COLUMNS} {AGREEMENT_FROM} WHERE a.id = $1", agreement_id)
    assert row is not None
    return agreement_from_record(row)


async def _party(conn: asyncpg.Connection, organization_id: uuid.UUID, field: str) -> None:
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)", organization_id):
        raise BadUserInput(f"{field} names no organization of this alliance", field=field)


async def draft_agreement(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    title: str,
    enterprise_org_id: uuid.UUID,
    local_org_id: uuid.UUID,
    start_date: dt.date,
    end_date: dt.date,
    commitments: Sequence[CommitmentInput],
) -> Agreement:
    """A DRAFT agreement (version 1), drafted by an admin of either party."""
    await _party(conn, enterprise_org_id, "enterpriseOrganizationId")
    await _party(conn, local_org_id, "localOrganizationId")
    if not (await may_manage(conn, actor, enterprise_org_id) or await may_manage(conn, actor, local_org_id)):
        raise Forbidden("only an admin of either party or the alliance admin may draft this agreement")
    row = await CONSTRAINTS.fetchrow(
        conn,
        "INSERT INTO cobuilding_agreements (tenant_id, enterprise_org_id, local_org_id) VALUES ($1, $2, $3)"
        " RETURNING id",
        actor.tenant_id,
        enterprise_org_id,
        local_org_id,
    )
    agreement_id: uuid.UUID = row["id"]
    await _write_version(
        conn,
        actor=actor,
        agreement_id=agreement_id,
        version=1,
        title=title,
        start_date=start_date,
        end_date=end_date,
        commitments=commitments,
    )
    drafted = await reread(conn, agreement_id)
    await record_change(
        conn,
        actor,
        event_of(AgreementDrafted, drafted),
        after={"title": drafted.title, "startDate": str(start_date), "endDate": str(end_date), "version": 1},
    )
    return drafted


async def locked_agreement(
    conn: asyncpg.Connection, *, actor: Principal, agreement_id: uuid.UUID
) -> Agreement:
    """The agreement, its row locked (signatures and revisions take turns), if the caller sees it."""
    scope = Scope.of(actor)
    if not await conn.fetchval(
        "SELECT true FROM cobuilding_agreements WHERE id = $1 FOR UPDATE", agreement_id
    ):
        raise NotFound("no such agreement", field="id")
    return await get_agreement(conn, scope=scope, agreement_id=agreement_id)


async def revise_agreement(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    agreement_id: uuid.UUID,
    title: str | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    commitments: Sequence[CommitmentInput] | None = None,
) -> Agreement:
    """A new version (the latest one's content where not given) that both sides sign again;
    until then a signed agreement stays in force as signed, and old versions stay readable."""
    current = await locked_agreement(conn, actor=actor, agreement_id=agreement_id)
    await require_party_admin(conn, actor, current, "revise it")
    if current.stored_status == "TERMINATED":
        raise Conflict("a terminated agreement cannot change")
    latest = await conn.fetchrow(
        "SELECT title, start_date, end_date FROM cobuilding_agreement_versions WHERE agreement_id"
        " = $1 AND version = $2",
        agreement_id,
        current.latest_version,
    )
    assert latest is not None
    if commitments is None:
        rows = await conn.fetch(
            "SELECT d.code, c.enterprise_commitment, c.local_commitment, c.targets::text AS targets"
            " FROM cobuilding_commitments c JOIN cobuilding_dimensions d ON d.id = c.dimension_id"
            " WHERE c.agreement_id = $1 AND c.version = $2",
            agreement_id,
            current.latest_version,
        )
        commitments = [
            CommitmentInput(
                dimension_code=row["code"],
                enterprise_commitment=row["enterprise_commitment"],
                local_commitment=row["local_commitment"],
                targets=[
                    Target(name=t["name"], value=decimal.Decimal(t["value"]), unit=t.get("unit"))
                    for t in orjson.loads(row["targets"])
                ],
            )
            for row in rows
        ]
    version = current.latest_version + 1
    await _write_version(
        conn,
        actor=actor,
        agreement_id=agreement_id,
        version=version,
        title=title if title is not None else latest["title"],
        start_date=start_date or latest["start_date"],
        end_date=end_date or latest["end_date"],
        commitments=commitments,
    )
    await conn.execute(
        "UPDATE cobuilding_agreements SET latest_version = $2, updated_at = now() WHERE id = $1",
        agreement_id,
        version,
    )
    revised = await reread(conn, agreement_id)
    await record_change(
        conn,
        actor,
        event_of(AgreementRevised, revised),
        before={"latestVersion": current.latest_version},
        after={"latestVersion": version},
    )
    return revised
