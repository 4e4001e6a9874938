"""Request-scoped DataLoaders for resources and bookings: one query per level, not per row."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from strawberry.dataloader import DataLoader

from schema.context import Context
from schema.loading import request_loader
from services.resources import bookings, catalogue, figures, menu
from services.resources.models import Booking, MenuItem, Resource, Utilization

UpcomingKey = tuple[uuid.UUID, int]
UtilizationKey = tuple[uuid.UUID, dt.datetime, dt.datetime]


def resource_loader(context: Context) -> DataLoader[uuid.UUID, Resource | None]:
    """Resources by id, as far as the caller may see them (None otherwise)."""

    async def load(ids: list[uuid.UUID]) -> list[Resource | None]:
        async with context.db() as conn:
            found = await catalogue.resources_by_id(conn, actor=context.principal, ids=list(ids))
        return [found.get(i) for i in ids]

    return request_loader(context, "resource", load)


def menu_loader(context: Context) -> DataLoader[uuid.UUID, list[MenuItem]]:
    """Current activity menus by resource id."""

    async def load(ids: list[uuid.UUID]) -> list[list[MenuItem]]:
        async with context.db() as conn:
            found = await menu.menus_of(conn, resource_ids=list(ids))
        return [found[i] for i in ids]

    return request_loader(context, "menu", load)


def menu_item_loader(context: Context) -> DataLoader[uuid.UUID, MenuItem | None]:
    """Menu items by id, removed ones included."""

    async def load(ids: list[uuid.UUID]) -> list[MenuItem | None]:
        async with context.db() as conn:
            found = await menu.menu_items_by_id(conn, ids=list(ids))
        return [found.get(i) for i in ids]

    return request_loader(context, "menu_item", load)


def booking_loader(context: Context) -> DataLoader[uuid.UUID, Booking | None]:
    """Bookings by id."""

    async def load(ids: list[uuid.UUID]) -> list[Booking | None]:
        async with context.db() as conn:
            found = await bookings.bookings_by_id(conn, ids=list(ids))
        return [found.get(i) for i in ids]

    return request_loader(context, "booking", load)


def _grouped(keys: list[Any], group_of: Callable[[Any], Any]) -> dict[Any, list[uuid.UUID]]:
    groups: dict[Any, list[uuid.UUID]] = {}
    for key in keys:
        ids = groups.setdefault(group_of(key), [])
        if key[0] not in ids:
            ids.append(key[0])
    return groups


def upcoming_loader(context: Context) -> DataLoader[UpcomingKey, list[Booking]]:
    """Upcoming approved bookings by (resource id, how many): one query per distinct count."""

    async def load(keys: list[UpcomingKey]) -> list[list[Booking]]:
        found: dict[UpcomingKey, list[Booking]] = {}
        async with context.db() as conn:
            for limit, ids in _grouped(keys, lambda key: key[1]).items():
                per_resource = await bookings.upcoming_of(conn, resource_ids=ids, limit=limit)
                found.update({(rid, limit): items for rid, items in per_resource.items()})
        return [found[key] for key in keys]

    return request_loader(context, "upcoming", load)


def utilization_loader(context: Context) -> DataLoader[UtilizationKey, Utilization]:
    """Utilisation by (resource id, period): one query per distinct period."""

    async def load(keys: list[UtilizationKey]) -> list[Utilization]:
        found: dict[UtilizationKey, Utilization] = {}
        async with context.db() as conn:
            for (start, end), ids in _grouped(keys, lambda key: (key[1], key[2])).items():
                per_resource = await figures.utilization_of(
                    conn, resource_ids=ids, period_from=start, period_to=end
                )
                found.update({(rid, start, end): use for rid, use in per_resource.items()})
        return [found[key] for key in keys]

    return request_loader(context, "utilization", load)
