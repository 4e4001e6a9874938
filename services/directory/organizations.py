"""Member organisations (成员单位): list, read, create, update, archive."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

import asyncpg

from services.core.constraints import Constraints, Invalid
from services.core.errors import BadUserInput, Forbidden, NotFound
from services.core.principal import Principal
from services.core.records import Page, from_record
from services.core.validation import clean_text, optional_text, phone_number
from services.directory.credit_code import credit_code_problem
from services.directory.events import OrganizationArchived, OrganizationCreated, OrganizationUpdated
from services.directory.models import TWO_NEW_KINDS, Organization, OrganizationKind, Role
from services.events.changes import record_change

_FIELDS = (
    "id",
    "tenant_id",
    "name",
    "kind",
    "parent_id",
    "credit_code",
    "contact_name",
    "contact_phone",
    "star_rating",
    "archived_at",
    "created_at",
    "updated_at",
)
_COLUMNS = ", ".join(_FIELDS)


def joined_columns(alias: str, prefix: str) -> str:
    """An organisation's columns for another service's read that joins it (``alias.id AS prefixid``…)."""
    return ", ".join(f"{alias}.{name} AS {prefix}{name}" for name in _FIELDS)


def joined_organization(row: asyncpg.Record, prefix: str) -> Organization | None:
    """The organisation selected with ``joined_columns`` (None when the join found none)."""
    if row[prefix + "id"] is None:
        return None
    return Organization(*[row[prefix + name] for name in _FIELDS])


@dataclass(frozen=True, slots=True)
class OrganizationFilter:
    kind: OrganizationKind | None = None
    parent_id: uuid.UUID | None = None
    search: str | None = None
    include_archived: bool = False


@dataclass(frozen=True, slots=True)
class OrganizationInput:
    """Fields a caller sets; for an update, None means "leave as is"."""

    name: str | None = None
    kind: OrganizationKind | None = None
    parent_id: uuid.UUID | None = None
    credit_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    star_rating: int | None = None


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_WHERE = """
    ($1::text IS NULL OR kind = $1)
    AND ($2::uuid IS NULL OR parent_id = $2)
    AND ($3::text IS NULL OR name ILIKE $3)
    AND ($4 OR archived_at IS NULL)
"""
# A page ($1–$4 from ``filter_params``, $5 cursor, $6 size) and the filter's total.
PAGE_SQL = (
    f"SELECT {_COLUMNS} FROM organizations WHERE {_WHERE}"
    " AND ($5::uuid IS NULL OR id > $5) ORDER BY id LIMIT $6"
)
COUNT_SQL = f"SELECT count(*) FROM organizations WHERE {_WHERE}"
# $1 the ids.
BY_ID_SQL = f"SELECT {_COLUMNS} FROM organizations WHERE id = ANY($1::uuid[])"


def filter_params(*, filter: OrganizationFilter) -> list[Any]:
    """The filter as ``$1``–``$4`` of ``PAGE_SQL`` and ``COUNT_SQL``; BAD_USER_INPUT if invalid."""
    search = filter.search.strip() if filter.search else None
    if search is not None and len(search) > 100:
        raise BadUserInput("search must be at most 100 characters", field="search")
    return [
        filter.kind.value if filter.kind else None,
        filter.parent_id,
        _like_pattern(search) if search else None,
        filter.include_archived,
    ]


async def list_organizations(
    conn: asyncpg.Connection,
    *,
    filter: OrganizationFilter,
    first: int,
    after: uuid.UUID | None,
) -> Page[Organization]:
    """One page of the tenant's organisations in creation order, with the filter's total."""
    args = filter_params(filter=filter)
    rows = await conn.fetch(PAGE_SQL, *args, after, first + 1)
    total = await conn.fetchval(COUNT_SQL, *args)
    items = [from_record(Organization, row) for row in rows[:first]]
    return Page(items=items, total=int(total), has_next=len(rows) > first)


async def organizations_by_id(
    conn: asyncpg.Connection, *, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Organization]:
    """The tenant's organisations among ``ids`` (others are simply absent)."""
    rows = await conn.fetch(BY_ID_SQL, ids)
    return {row["id"]: from_record(Organization, row) for row in rows}


async def children_of(
    conn: asyncpg.Connection, *, parent_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Organization]]:
    """Non-archived children of each parent, in creation order."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM organizations"
        " WHERE parent_id = ANY($1::uuid[]) AND archived_at IS NULL ORDER BY id",
        parent_ids,
    )
    found: dict[uuid.UUID, list[Organization]] = {pid: [] for pid in parent_ids}
    for row in rows:
        found[row["parent_id"]].append(from_record(Organization, row))
    return found


async def get_organization(conn: asyncpg.Connection, *, organization_id: uuid.UUID) -> Organization:
    """One organisation of the tenant; NotFound for any other id (other tenants' included)."""
    found = await organizations_by_id(conn, ids=[organization_id])
    if organization_id not in found:
        raise NotFound("no such organization", field="id")
    return found[organization_id]


async def may_manage(conn: asyncpg.Connection, actor: Principal, organization_id: uuid.UUID) -> bool:
    """Whether ``actor`` administers ``organization_id``: alliance_admin every organisation,
    org_admin their own and every one below it. Other services ask this too (read-only).

    Only the organisation of the org_admin role counts: a member role elsewhere gives no
    management right there."""
    if Role.ALLIANCE_ADMIN in actor.roles:
        return True
    if Role.ORG_ADMIN not in actor.roles or not actor.managed_organization_ids:
        return False
    return bool(
        await conn.fetchval(
            """
            WITH RECURSIVE up (id, parent_id) AS (
                SELECT id, parent_id FROM organizations WHERE id = $1
                UNION
                SELECT o.id, o.parent_id FROM organizations o JOIN up ON o.id = up.parent_id
            )
            SELECT EXISTS (SELECT 1 FROM up WHERE id = ANY($2::uuid[]))
            """,
            organization_id,
            list(actor.managed_organization_ids),
        )
    )


def _validated(data: OrganizationInput) -> OrganizationInput:
    name = clean_text(data.name, field="name", max_length=200) if data.name is not None else None
    code = data.credit_code.strip().upper() if data.credit_code else None
    if code:
        problem = credit_code_problem(code)
        if problem:
            raise BadUserInput(f"creditCode {problem}", field="creditCode")
    if data.star_rating is not None and not 1 <= data.star_rating <= 5:
        raise BadUserInput("starRating must be between 1 and 5", field="starRating")
    return replace(
        data,
        name=name,
        credit_code=code or None,
        contact_name=optional_text(data.contact_name, field="contactName", max_length=100),
        contact_phone=phone_number(data.contact_phone, field="contactPhone"),
    )


def _check_star_rating(kind: str, star_rating: int | None) -> None:
    if star_rating is not None and kind not in TWO_NEW_KINDS:
        raise BadUserInput(
            "starRating applies only to private enterprises and social organisations",
            field="starRating",
        )


async def _check_parent(conn: asyncpg.Connection, parent_id: uuid.UUID) -> None:
    archived = await conn.fetchval(
        "SELECT archived_at IS NOT NULL FROM organizations WHERE id = $1", parent_id
    )
    if archived is None:
        raise BadUserInput("parentId names no organization of this alliance", field="parentId")
    if archived:
        raise BadUserInput("parentId names an archived organization", field="parentId")


_CYCLE = Invalid("parentId", "parentId would make the organization its own ancestor")
# What the organisations table's constraints mean to a caller (see the directory migration).
CONSTRAINTS = Constraints(
    {
        "organizations_credit_code_key": Invalid(
            "creditCode", "creditCode is already registered in this alliance"
        ),
        "organizations_no_cycle": _CYCLE,
        "organizations_check": _CYCLE,
    }
)


def _audit_view(org: Organization) -> dict[str, Any]:
    return {
        "name": org.name,
        "kind": org.kind,
        "parentId": org.parent_id,
        "creditCode": org.credit_code,
        "contactName": org.contact_name,
        "contactPhone": org.contact_phone,
        "starRating": org.star_rating,
        "archivedAt": org.archived_at,
    }


async def create_organization(
    conn: asyncpg.Connection, *, actor: Principal, data: OrganizationInput
) -> Organization:
    """Add a member organisation; an org_admin may add one only below their own."""
    data = _validated(data)
    if data.name is None or data.kind is None:
        raise BadUserInput("name and kind are required", field="name" if data.name is None else "kind")
    _check_star_rating(data.kind, data.star_rating)
    if data.parent_id is not None:
        await _check_parent(conn, data.parent_id)
    if Role.ALLIANCE_ADMIN not in actor.roles and (
        data.parent_id is None or not await may_manage(conn, actor, data.parent_id)
    ):
        raise Forbidden("org_admin may add organizations only below their own")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        INSERT INTO organizations (tenant_id, name, kind, parent_id, credit_code, contact_name,
                                   contact_phone, star_rating)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        RETURNING {_COLUMNS}
        """,
        actor.tenant_id,
        data.name,
        data.kind.value,
        data.parent_id,
        data.credit_code,
        data.contact_name,
        data.contact_phone,
        data.star_rating,
    )
    created = from_record(Organization, row)
    await record_change(conn, actor, OrganizationCreated.of(created), after=_audit_view(created))
    return created


async def update_organization(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    organization_id: uuid.UUID,
    data: OrganizationInput,
    clear_parent: bool = False,
) -> Organization:
    """Change the given fields; only the owner's admin or alliance_admin may."""
    data = _validated(data)
    current = await _locked(conn, organization_id)
    if not await may_manage(conn, actor, organization_id):
        raise Forbidden("only this organization's admin or the alliance admin may change it")
    kind = data.kind.value if data.kind else current.kind
    star_rating = data.star_rating if data.star_rating is not None else current.star_rating
    if data.kind is not None and data.kind not in TWO_NEW_KINDS and data.star_rating is None:
        star_rating = None  # a rating does not survive a change to a kind that is not rated
    _check_star_rating(kind, star_rating)
    parent_id = None if clear_parent else (data.parent_id or current.parent_id)
    if data.parent_id is not None and data.parent_id != current.parent_id:
        await _check_parent(conn, data.parent_id)
        if not await may_manage(conn, actor, data.parent_id):
            raise Forbidden("cannot move an organization below one you do not manage")
    if clear_parent and Role.ALLIANCE_ADMIN not in actor.roles:
        raise Forbidden("only the alliance admin may make an organization top-level")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        UPDATE organizations SET name = $2, kind = $3, parent_id = $4, credit_code = $5,
            contact_name = $6, contact_phone = $7, star_rating = $8, updated_at = now()
        WHERE id = $1 RETURNING {_COLUMNS}
        """,
        organization_id,
        data.name or current.name,
        kind,
        parent_id,
        data.credit_code or current.credit_code,
        data.contact_name if data.contact_name is not None else current.contact_name,
        data.contact_phone if data.contact_phone is not None else current.contact_phone,
        star_rating,
    )
    updated = from_record(Organization, row)
    await record_change(
        conn, actor, OrganizationUpdated.of(updated), before=_audit_view(current), after=_audit_view(updated)
    )
    return updated


async def archive_organization(
    conn: asyncpg.Connection, *, actor: Principal, organization_id: uuid.UUID
) -> Organization:
    """Archive (never delete) an organisation that has no active children."""
    current = await _locked(conn, organization_id)
    if not await may_manage(conn, actor, organization_id):
        raise Forbidden("only this organization's admin or the alliance admin may archive it")
    if current.archived_at is not None:
        return current
    if await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE parent_id = $1 AND archived_at IS NULL)",
        organization_id,
    ):
        raise BadUserInput("archive the organizations below it first", field="id")
    row = await conn.fetchrow(
        f"UPDATE organizations SET archived_at = now(), updated_at = now() WHERE id = $1"
        f" RETURNING {_COLUMNS}",
        organization_id,
    )
    archived = from_record(Organization, row)  # type: ignore[arg-type]
    await record_change(
        conn,
        actor,
        OrganizationArchived.of(archived),
        before=_audit_view(current),
        after=_audit_view(archived),
    )
    return archived


async def _locked(conn: asyncpg.Connection, organization_id: uuid.UUID) -> Organization:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM organizations WHERE id = $1 FOR UPDATE",
        organization_id,
    )
    if row is None:
        raise NotFound("no such organization", field="id")
    return from_record(Organization, row)
