"""Resource queries: resources, resource, menuItem, bookings, booking, resourceFigures."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated

import strawberry

from schema.context import Info
from schema.directory.loaders import organization_loader
from schema.directory.types import Organization, prefetched_organizations
from schema.pagination import Connection, Keyset, parse_id, uuid_key
from schema.permissions import requires
from schema.resources.inputs import BookingFilter, ResourceFilter
from schema.resources.loaders import booking_loader, resource_loader, upcoming_loader
from schema.resources.types import (
    MAX_UPCOMING,
    RESOURCE_OWNER,
    Booking,
    MenuItem,
    Resource,
    ResourceFigures,
)
from schema.selection import arguments_at, selects
from services.core.errors import NotFound
from services.resources import bookings, catalogue, figures, menu, models

RESOURCES = Keyset("resource", uuid_key)
BOOKINGS = Keyset("booking", uuid_key)


def _int(value: object) -> int | None:
    """An argument as selected: literals come as their text, variables as their value."""
    try:
        return int(str(value))
    except ValueError:
        return None


async def _prefetch_upcoming(info: Info, resource_ids: list[uuid.UUID]) -> None:
    """When a page asks for its resources' upcoming bookings (and their requesters), fetch them
    for the whole page in one statement and hand them to the loaders: the rows then answer at
    once instead of waiting for a loader round per level."""
    counts = {_int(args.get("first", 10)) for args in arguments_at(info, "edges", "node", "upcomingBookings")}
    if not counts or not resource_ids or not info.context.allows("booking", "read"):
        return  # without booking read the field answers an empty list by itself
    with_requesters = selects(info, "edges", "node", "upcomingBookings", "requester")
    upcoming = upcoming_loader(info.context)
    async with info.context.db() as conn:
        for first in counts:
            if first is None or not 1 <= first <= MAX_UPCOMING:
                continue  # the field reports it
            if with_requesters:
                per_resource, requesters = await bookings.upcoming_with_requesters(
                    conn, resource_ids=resource_ids, limit=first
                )
                organization_loader(info.context).prime_many(requesters)
                prefetched_organizations(info.context).update(
                    {org_id: Organization.or_none(org) for org_id, org in requesters.items()}
                )
            else:
                per_resource = await bookings.upcoming_of(conn, resource_ids=resource_ids, limit=first)
            upcoming.prime_many({(rid, first): found for rid, found in per_resource.items()})


@strawberry.type
class ResourcesQuery:
    @strawberry.field(
        description="Shared resources (共享资源) the caller may see, filtered (资源列表).",
        extensions=requires("resource", "read"),
    )
    async def resources(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: ResourceFilter | None = None,
    ) -> Connection[Resource]:
        args = RESOURCES.args(info, first, after)
        given = filter or ResourceFilter()
        service_filter = catalogue.ResourceFilter(
            kind=given.kind,
            owner_org_id=parse_id(given.owner_org_id, "ownerOrgId") if given.owner_org_id else None,
            tag=given.tag,
            search=given.search,
            min_capacity=given.min_capacity,
            free_from=given.free_from,
            free_to=given.free_to,
            status=given.status,
        )
        # The page's shape is known here: count only when totalCount is asked for, and fetch the
        # owners in the page's own statement when they are asked for (primed into the loader).
        with_owners = selects(info, "edges", "node", "owner")
        async with info.context.db() as conn:
            page = await catalogue.list_resources(
                conn,
                actor=info.context.principal,
                filter=service_filter,
                first=args.first,
                after=args.after,
                count=args.count,
                with_owners=with_owners,
            )
        to_node: Callable[[models.Resource], Resource] = Resource.from_model
        if with_owners:
            organization_loader(info.context).prime_many(page.owners)
            owners = {org_id: Organization.or_none(org) for org_id, org in page.owners.items()}
            prefetched_organizations(info.context).update(owners)

            def with_owner(item: models.Resource) -> Resource:
                node = Resource.from_model(item)
                node.prefetched = {RESOURCE_OWNER: owners[item.owner_org_id]}
                return node

            to_node = with_owner

        await _prefetch_upcoming(info, [item.id for item in page.items])
        return RESOURCES.connection(page, to_node)

    @strawberry.field(description="One shared resource (共享资源).", extensions=requires("resource", "read"))
    async def resource(self, info: Info, id: strawberry.ID) -> Resource:
        found = await resource_loader(info.context).load(parse_id(id))
        if found is None:
            raise NotFound("no such resource", field="id")
        return Resource.from_model(found)

    @strawberry.field(
        description=(
            "One activity of a base's menu (活动菜单项), seen exactly when its base is (removed ones "
            "too, as bookings show them); another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("resource", "read"),
    )
    async def menu_item(self, info: Info, id: strawberry.ID) -> MenuItem:
        async with info.context.db() as conn:
            found = await menu.get_menu_item(conn, actor=info.context.principal, item_id=parse_id(id))
        return MenuItem.from_model(found)

    @strawberry.field(
        description="Bookings (预约列表), newest request first.", extensions=requires("booking", "read")
    )
    async def bookings(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: BookingFilter | None = None,
    ) -> Connection[Booking]:
        args = BOOKINGS.args(info, first, after)
        given = filter or BookingFilter()
        service_filter = bookings.BookingFilter(
            resource_id=parse_id(given.resource_id, "resourceId") if given.resource_id else None,
            owner_org_id=parse_id(given.owner_org_id, "ownerOrgId") if given.owner_org_id else None,
            requester_org_id=(
                parse_id(given.requester_org_id, "requesterOrgId") if given.requester_org_id else None
            ),
            status=given.status,
            overlaps_from=given.overlaps_from,
            overlaps_to=given.overlaps_to,
        )
        async with info.context.db() as conn:
            page = await bookings.list_bookings(
                conn, filter=service_filter, first=args.first, after=args.after
            )
        return BOOKINGS.connection(page, Booking.from_model)

    @strawberry.field(description="One booking (预约).", extensions=requires("booking", "read"))
    async def booking(self, info: Info, id: strawberry.ID) -> Booking:
        found = await booking_loader(info.context).load(parse_id(id))
        if found is None:
            raise NotFound("no such booking", field="id")
        return Booking.from_model(found)

    @strawberry.field(
        description=(
            "Figures of resource sharing for 数据化考核 (资源共享统计): of one organisation, or of the "
            "whole alliance without orgId, over [from, to)."
        ),
        extensions=requires("figures", "read"),
    )
    async def resource_figures(
        self,
        info: Info,
        period_from: Annotated[
            dt.datetime, strawberry.argument(name="from", description="Period start (起).")
        ],
        period_to: Annotated[dt.datetime, strawberry.argument(name="to", description="Period end (止).")],
        org_id: strawberry.ID | None = None,
    ) -> ResourceFigures:
        organization_id = parse_id(org_id, "orgId") if org_id else None
        async with info.context.db() as conn:
            found = await figures.resource_figures(
                conn,
                actor=info.context.principal,
                organization_id=organization_id,
                period_from=period_from,
                period_to=period_to,
            )
        return ResourceFigures.from_model(found)
