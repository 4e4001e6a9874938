"""A base's activity menu (活动菜单): items added, changed and removed by the owner's admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, Conflict, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.events.changes import record_change
from services.resources import rules
from services.resources.access import SCOPE_CTE, SCOPE_WHERE, ReadScope
from services.resources.events import ResourceMenuChanged
from services.resources.models import CONSTRAINTS, MenuItem, Resource, ResourceKind, ResourceStatus
from services.resources.resources import locked_for_change

_COLUMNS = "id, resource_id, name, duration_minutes, capacity, description, removed_at, created_at"


@dataclass(frozen=True, slots=True)
class MenuItemInput:
    """Fields a caller sets; for an update, None means "leave as is"."""

    name: str | None = None
    duration_minutes: int | None = None
    capacity: int | None = None
    description: str | None = None


async def menus_of(
    conn: asyncpg.Connection, *, resource_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[MenuItem]]:
    """Current menu items of each resource, in the order they were added."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM resource_menu_items"
        " WHERE resource_id = ANY($1::uuid[]) AND removed_at IS NULL ORDER BY id",
        resource_ids,
    )
    found: dict[uuid.UUID, list[MenuItem]] = {rid: [] for rid in resource_ids}
    for row in rows:
        found[row["resource_id"]].append(from_record(MenuItem, row))
    return found


async def menu_items_by_id(conn: asyncpg.Connection, *, ids: list[uuid.UUID]) -> dict[uuid.UUID, MenuItem]:
    """Menu items by id, removed ones included (bookings keep theirs)."""
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM resource_menu_items WHERE id = ANY($1::uuid[])", ids)
    return {row["id"]: from_record(MenuItem, row) for row in rows}


# One menu item by id ($4) of a base the caller sees as resource(id) sees it (the resources'
# read scope, $1 to $3); removed items too, with their removal time, as bookings show them.
BY_ID_SQL = (
    f"{SCOPE_CTE} SELECT m.id, m.resource_id, m.name, m.duration_minutes, m.capacity, m.description,"
    " m.removed_at, m.created_at FROM resource_menu_items m"
    " JOIN resources r ON r.tenant_id = m.tenant_id AND r.id = m.resource_id"
    f" WHERE m.id = $4 AND r.kind = 'BASE' AND ({SCOPE_WHERE})"
)


async def get_menu_item(conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID) -> MenuItem:
    """One menu item, seen exactly when its base is; NOT_FOUND otherwise (a draft the caller
    may not see, a base partners may not see, another tenant's id)."""
    scope = ReadScope.of(actor)
    row = await conn.fetchrow(BY_ID_SQL, scope.partner, scope.sees_all, scope.admin_org_ids, item_id)
    if row is None:
        raise NotFound("no such menu item", field="id")
    return from_record(MenuItem, row)


def _validated(data: MenuItemInput) -> MenuItemInput:
    if data.duration_minutes is not None and not 5 <= data.duration_minutes <= 1440:
        raise BadUserInput("durationMinutes must be between 5 and 1440", field="durationMinutes")
    return MenuItemInput(
        name=clean_text(data.name, field="name", max_length=100) if data.name is not None else None,
        duration_minutes=data.duration_minutes,
        capacity=rules.positive(data.capacity, field="capacity"),
        description=(
            clean_text(data.description, field="description", max_length=1000, required=False, multiline=True)
            if data.description is not None
            else None
        ),
    )


def _audit_view(item: MenuItem) -> dict[str, Any]:
    return {
        "resourceId": item.resource_id,
        "name": item.name,
        "durationMinutes": item.duration_minutes,
        "capacity": item.capacity,
        "description": item.description,
        "removedAt": item.removed_at,
    }


async def _write(conn: asyncpg.Connection, sql: str, *args: Any) -> MenuItem:
    return from_record(MenuItem, await CONSTRAINTS.fetchrow(conn, sql, *args))


async def _base_for_change(conn: asyncpg.Connection, actor: Principal, resource_id: uuid.UUID) -> Resource:
    resource = await locked_for_change(conn, actor=actor, resource_id=resource_id)
    if resource.kind != ResourceKind.BASE:
        raise BadUserInput("only an open organisational-life base has an activity menu", field="resourceId")
    if resource.status == ResourceStatus.ARCHIVED:
        raise Conflict("an archived base's menu cannot change")
    return resource


async def _item(conn: asyncpg.Connection, item_id: uuid.UUID) -> MenuItem:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM resource_menu_items WHERE id = $1", item_id)
    if row is None or row["removed_at"] is not None:
        raise NotFound("no such menu item", field="id")
    return from_record(MenuItem, row)


async def _record(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    resource: Resource,
    action: str,
    before: MenuItem | None,
    after: MenuItem,
) -> None:
    event = ResourceMenuChanged.of(
        resource, menu_item_id=str(after.id), menu_change=action, menu_item_name=after.name
    )
    await record_change(
        conn,
        actor,
        event,
        entity_id=str(after.id),
        before=_audit_view(before) if before else None,
        after=_audit_view(after),
    )


async def add_menu_item(
    conn: asyncpg.Connection, *, actor: Principal, resource_id: uuid.UUID, data: MenuItemInput
) -> MenuItem:
    """A new activity on a base's menu."""
    data = _validated(data)
    if data.name is None or data.duration_minutes is None:
        missing = "name" if data.name is None else "durationMinutes"
        raise BadUserInput(f"{missing} is required", field=missing)
    resource = await _base_for_change(conn, actor, resource_id)
    item = await _write(
        conn,
        "INSERT INTO resource_menu_items"
        " (tenant_id, resource_id, name, duration_minutes, capacity, description)"
        f" VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}",
        actor.tenant_id,
        resource_id,
        data.name,
        data.duration_minutes,
        data.capacity,
        data.description or "",
    )
    await _record(conn, actor=actor, resource=resource, action="add", before=None, after=item)
    return item


async def update_menu_item(
    conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID, data: MenuItemInput
) -> MenuItem:
    """Change the given fields of a menu item."""
    data = _validated(data)
    current = await _item(conn, item_id)
    resource = await _base_for_change(conn, actor, current.resource_id)
    item = await _write(
        conn,
        f"UPDATE resource_menu_items SET name = $2, duration_minutes = $3, capacity = $4, description = $5,"
        f" updated_at = now() WHERE id = $1 RETURNING {_COLUMNS}",
        item_id,
        data.name or current.name,
        data.duration_minutes or current.duration_minutes,
        data.capacity if data.capacity is not None else current.capacity,
        data.description if data.description is not None else current.description,
    )
    await _record(conn, actor=actor, resource=resource, action="update", before=current, after=item)
    return item


async def remove_menu_item(conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID) -> MenuItem:
    """Take an item off the menu (bookings that chose it keep it)."""
    current = await _item(conn, item_id)
    resource = await _base_for_change(conn, actor, current.resource_id)
    item = await _write(
        conn,
        "UPDATE resource_menu_items SET removed_at = now(), updated_at = now()"
        f" WHERE id = $1 RETURNING {_COLUMNS}",
        item_id,
    )
    await _record(conn, actor=actor, resource=resource, action="remove", before=current, after=item)
    return item
