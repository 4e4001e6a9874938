"""Shared resources (资源共享): create, update, publish, archive."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, Conflict, Forbidden, NotFound
from services.core.principal import Principal
from services.core.validation import clean_text, optional_text
from services.events.changes import record_change
from services.resources import rules
from services.resources.access import acting_organization, may_manage
from services.resources.catalogue import COLUMNS, hours_json, resource_from_record
from services.resources.events import ResourceArchived, ResourceCreated, ResourcePublished, ResourceUpdated
from services.resources.models import (
    OpeningWindow,
    Resource,
    ResourceKind,
    ResourceStatus,
    ResourceVisibility,
)


@dataclass(frozen=True, slots=True)
class ResourceInput:
    """Fields a caller sets; for an update, None means "leave as is" (an empty list clears)."""

    owner_org_id: uuid.UUID | None = None
    kind: ResourceKind | None = None
    title: str | None = None
    description: str | None = None
    address: str | None = None
    capacity: int | None = None
    quantity: int | None = None
    tags: list[str] | None = None
    photo_urls: list[str] | None = None
    opening_hours: list[OpeningWindow] | None = None
    blackout_dates: list[dt.date] | None = None
    visibility: ResourceVisibility | None = None


def _validated(data: ResourceInput) -> ResourceInput:
    return ResourceInput(
        owner_org_id=data.owner_org_id,
        kind=data.kind,
        title=clean_text(data.title, field="title", max_length=200) if data.title is not None else None,
        description=(
            clean_text(data.description, field="description", max_length=5000, required=False, multiline=True)
            if data.description is not None
            else None
        ),
        address=optional_text(data.address, field="address", max_length=300),
        capacity=rules.positive(data.capacity, field="capacity"),
        quantity=rules.positive(data.quantity, field="quantity"),
        tags=rules.clean_tags(data.tags) if data.tags is not None else None,
        photo_urls=rules.clean_photo_urls(data.photo_urls) if data.photo_urls is not None else None,
        opening_hours=rules.clean_opening_hours(data.opening_hours)
        if data.opening_hours is not None
        else None,
        blackout_dates=rules.clean_blackout_dates(data.blackout_dates)
        if data.blackout_dates is not None
        else None,
        visibility=data.visibility,
    )


def audit_view(resource: Resource) -> dict[str, Any]:
    return {
        "ownerOrgId": resource.owner_org_id,
        "kind": resource.kind,
        "title": resource.title,
        "description": resource.description,
        "address": resource.address,
        "capacity": resource.capacity,
        "quantity": resource.quantity,
        "tags": resource.tags,
        "photoUrls": resource.photo_urls,
        "openingHours": [w.to_json() for w in resource.opening_hours],
        "blackoutDates": [d.isoformat() for d in resource.blackout_dates],
        "status": resource.status,
        "visibility": resource.visibility,
    }


async def create_resource(conn: asyncpg.Connection, *, actor: Principal, data: ResourceInput) -> Resource:
    """Post a resource as a draft; only its owner's admin (or alliance_admin) may."""
    kind = data.kind
    if kind is None or data.title is None:
        raise BadUserInput("kind and title are required", field="kind" if kind is None else "title")
    if kind == ResourceKind.MATERIAL and data.quantity is None:
        raise BadUserInput("a material needs its stock quantity", field="quantity")
    data = _validated(data)
    owner = await acting_organization(conn, actor, data.owner_org_id, field="ownerOrgId")
    if not await may_manage(conn, actor, owner):
        raise Forbidden("only the owning organization's admin or the alliance admin may post its resources")
    row = await conn.fetchrow(
        f"""
        INSERT INTO resources AS r (tenant_id, owner_org_id, kind, title, description, address, capacity,
                                    quantity, tags, photo_urls, opening_hours, blackout_dates, visibility)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb, $12, $13)
        RETURNING {COLUMNS}
        """,
        actor.tenant_id,
        owner,
        kind.value,
        data.title,
        data.description or "",
        data.address,
        data.capacity,
        data.quantity,
        data.tags or [],
        data.photo_urls or [],
        hours_json(data.opening_hours or []),
        data.blackout_dates or [],
        (data.visibility or ResourceVisibility.ALLIANCE).value,
    )
    assert row is not None
    created = resource_from_record(row)
    await record_change(conn, actor, ResourceCreated.of(created), after=audit_view(created))
    return created


async def locked_for_change(
    conn: asyncpg.Connection, *, actor: Principal, resource_id: uuid.UUID
) -> Resource:
    """The resource, row-locked, once the caller is known to manage it."""
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM resources r WHERE r.id = $1 FOR UPDATE", resource_id)
    if row is None:
        raise NotFound("no such resource", field="id")
    resource = resource_from_record(row)
    if not await may_manage(conn, actor, resource.owner_org_id):
        raise Forbidden("only the owning organization's admin or the alliance admin may change this resource")
    return resource


async def update_resource(
    conn: asyncpg.Connection, *, actor: Principal, resource_id: uuid.UUID, data: ResourceInput
) -> Resource:
    """Change the given fields of a draft or published resource."""
    current = await locked_for_change(conn, actor=actor, resource_id=resource_id)
    if current.status == ResourceStatus.ARCHIVED:
        raise Conflict("an archived resource cannot change")
    data = _validated(data)
    quantity = data.quantity if data.quantity is not None else current.quantity
    if current.kind == ResourceKind.MATERIAL and quantity is not None and quantity < (current.quantity or 0):
        held = await conn.fetchval(
            "SELECT coalesce(max(resource_peak_held($1, during)), 0) FROM bookings"
            " WHERE resource_id = $1 AND status = 'APPROVED' AND upper(during) > now()",
            resource_id,
        )
        if quantity < held:
            raise Conflict(f"{held} are lent at once in approved bookings; the stock cannot go below that")
    hours = data.opening_hours if data.opening_hours is not None else current.opening_hours
    row = await conn.fetchrow(
        f"""
        UPDATE resources AS r SET title = $2, description = $3, address = $4, capacity = $5, quantity = $6,
            tags = $7, photo_urls = $8, opening_hours = $9::text::jsonb, blackout_dates = $10,
            visibility = $11, updated_at = now()
        WHERE r.id = $1 RETURNING {COLUMNS}
        """,
        resource_id,
        data.title or current.title,
        data.description if data.description is not None else current.description,
        data.address if data.address is not None else current.address,
        data.capacity if data.capacity is not None else current.capacity,
        quantity,
        data.tags if data.tags is not None else current.tags,
        data.photo_urls if data.photo_urls is not None else current.photo_urls,
        hours_json(hours),
        data.blackout_dates if data.blackout_dates is not None else current.blackout_dates,
        (data.visibility.value if data.visibility else current.visibility),
    )
    assert row is not None
    updated = resource_from_record(row)
    await record_change(
        conn, actor, ResourceUpdated.of(updated), before=audit_view(current), after=audit_view(updated)
    )
    return updated


async def _set_status(
    conn: asyncpg.Connection, *, actor: Principal, resource_id: uuid.UUID, status: ResourceStatus
) -> Resource:
    current = await locked_for_change(conn, actor=actor, resource_id=resource_id)
    allowed = {
        ResourceStatus.PUBLISHED: {ResourceStatus.DRAFT},
        ResourceStatus.ARCHIVED: {ResourceStatus.DRAFT, ResourceStatus.PUBLISHED},
    }[status]
    if current.status not in allowed:
        raise Conflict(f"a {current.status.lower()} resource cannot become {status.lower()}")
    if status == ResourceStatus.ARCHIVED and await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM bookings WHERE resource_id = $1"
        " AND status IN ('PENDING', 'APPROVED') AND upper(during) > now())",
        resource_id,
    ):
        raise Conflict("decide or cancel its open bookings before archiving it")
    stamp = "published_at" if status == ResourceStatus.PUBLISHED else "archived_at"
    row = await conn.fetchrow(
        f"UPDATE resources AS r SET status = $2, {stamp} = now(), updated_at = now()"
        f" WHERE r.id = $1 RETURNING {COLUMNS}",
        resource_id,
        status.value,
    )
    assert row is not None
    changed = resource_from_record(row)
    event = ResourcePublished if status == ResourceStatus.PUBLISHED else ResourceArchived
    await record_change(
        conn, actor, event.of(changed), before={"status": current.status}, after={"status": changed.status}
    )
    return changed


async def publish_resource(conn: asyncpg.Connection, *, actor: Principal, resource_id: uuid.UUID) -> Resource:
    """DRAFT → PUBLISHED: members (and partners, if partner-visible) now see and book it."""
    return await _set_status(conn, actor=actor, resource_id=resource_id, status=ResourceStatus.PUBLISHED)


async def archive_resource(conn: asyncpg.Connection, *, actor: Principal, resource_id: uuid.UUID) -> Resource:
    """DRAFT or PUBLISHED → ARCHIVED, once no open booking is left; never deleted."""
    return await _set_status(conn, actor=actor, resource_id=resource_id, status=ResourceStatus.ARCHIVED)
