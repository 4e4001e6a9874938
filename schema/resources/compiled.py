"""How reads of resources and bookings compile to SQL (``schema.compiled``): declared once
per type, next to the types, with the services' own SQL for the roots."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schema.compiled.mapping import (
    Args,
    ConnectionRoot,
    Kind,
    Many,
    ObjectRoot,
    One,
    Root,
    Scalar,
    TypeMap,
)
from schema.pagination import parse_id
from schema.resources.queries import BOOKINGS, RESOURCES
from schema.resources.types import MAX_UPCOMING
from services.core.errors import BadUserInput
from services.core.principal import Principal
from services.resources import bookings, catalogue
from services.resources.access import ReadScope
from services.resources.models import BookingStatus, ResourceKind, ResourceStatus


def _resource_filter(args: Args, principal: Principal) -> Sequence[Any]:
    given: dict[str, Any] = args.get("filter") or {}
    owner = given.get("ownerOrgId")
    kind, status = given.get("kind"), given.get("status")
    return catalogue.filter_params(
        actor=principal,
        filter=catalogue.ResourceFilter(
            kind=ResourceKind(kind) if kind is not None else None,
            owner_org_id=parse_id(owner, "ownerOrgId") if owner else None,
            tag=given.get("tag"),
            search=given.get("search"),
            min_capacity=given.get("minCapacity"),
            free_from=given.get("freeFrom"),
            free_to=given.get("freeTo"),
            status=ResourceStatus(status) if status is not None else None,
        ),
    )


def _resource_by_id(args: Args, principal: Principal) -> Sequence[Any]:
    scope = ReadScope.of(principal)
    return [scope.partner, scope.sees_all, scope.admin_org_ids, [parse_id(args["id"])]]


def _booking_filter(args: Args, principal: Principal) -> Sequence[Any]:
    given: dict[str, Any] = args.get("filter") or {}
    ids = {name: given.get(name) for name in ("resourceId", "ownerOrgId", "requesterOrgId")}
    status = given.get("status")
    return bookings.filter_params(
        filter=bookings.BookingFilter(
            resource_id=parse_id(ids["resourceId"], "resourceId") if ids["resourceId"] else None,
            owner_org_id=parse_id(ids["ownerOrgId"], "ownerOrgId") if ids["ownerOrgId"] else None,
            requester_org_id=(
                parse_id(ids["requesterOrgId"], "requesterOrgId") if ids["requesterOrgId"] else None
            ),
            status=BookingStatus(status) if status is not None else None,
            overlaps_from=given.get("from"),
            overlaps_to=given.get("to"),
        )
    )


def _booking_by_id(args: Args, principal: Principal) -> Sequence[Any]:
    return [[parse_id(args["id"])]]


def _upcoming(args: Args, principal: Principal) -> Sequence[Any]:
    first = args["first"]
    if not 1 <= first <= MAX_UPCOMING:
        raise BadUserInput(f"first must be between 1 and {MAX_UPCOMING}", field="first")
    return [first]


RESOURCE = TypeMap(
    "Resource",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "kind": Scalar("{t}.kind", Kind.ENUM),
        "title": Scalar("{t}.title", Kind.STRING),
        "description": Scalar("{t}.description", Kind.STRING),
        "address": Scalar("{t}.address", Kind.STRING),
        "capacity": Scalar("{t}.capacity", Kind.INT),
        "quantity": Scalar("{t}.quantity", Kind.INT),
        "tags": Scalar("{t}.tags", Kind.STRING_LIST),
        "photoUrls": Scalar("{t}.photo_urls", Kind.STRING_LIST),
        "timeZone": Scalar("{t}.time_zone", Kind.STRING),
        "status": Scalar("{t}.status", Kind.ENUM),
        "visibility": Scalar("{t}.visibility", Kind.ENUM),
        "ownerOrgId": Scalar("{t}.owner_org_id", Kind.ID),
        "publishedAt": Scalar("{t}.published_at", Kind.DATETIME),
        "archivedAt": Scalar("{t}.archived_at", Kind.DATETIME),
        "createdAt": Scalar("{t}.created_at", Kind.DATETIME),
        "updatedAt": Scalar("{t}.updated_at", Kind.DATETIME),
        "owner": One(
            "Organization",
            "FROM organizations {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.id = {t}.owner_org_id",
        ),
        # As bookings.upcoming_of: approved, not yet over, soonest first.
        "upcomingBookings": Many(
            "Booking",
            "FROM bookings {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.resource_id = {t}.id"
            " AND {o}.status = 'APPROVED'"
            " AND upper({o}.during) > now() ORDER BY lower({o}.during) LIMIT $1",
            _upcoming,
        ),
    },
)

BOOKING = TypeMap(
    "Booking",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "status": Scalar("{t}.status", Kind.ENUM),
        "resourceId": Scalar("{t}.resource_id", Kind.ID),
        "requesterOrgId": Scalar("{t}.requester_org_id", Kind.ID),
        "start": Scalar("lower({t}.during)", Kind.DATETIME),
        "end": Scalar("upper({t}.during)", Kind.DATETIME),
        "attendees": Scalar("{t}.attendees", Kind.INT),
        "quantity": Scalar("{t}.quantity", Kind.INT),
        "purpose": Scalar("{t}.purpose", Kind.STRING),
        "menuItemId": Scalar("{t}.menu_item_id", Kind.ID),
        "batch": Scalar("{t}.batch", Kind.STRING),
        "reason": Scalar("{t}.decision_reason", Kind.STRING),
        "decidedAt": Scalar("{t}.decided_at", Kind.DATETIME),
        "createdAt": Scalar("{t}.created_at", Kind.DATETIME),
        "updatedAt": Scalar("{t}.updated_at", Kind.DATETIME),
        "requestedBy": Scalar("{t}.requested_by_login", Kind.STRING),
        "requester": One(
            "Organization",
            "FROM organizations {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.id = {t}.requester_org_id",
        ),
    },
)

ROOTS: list[Root] = [
    ConnectionRoot(
        field="resources",
        type="Resource",
        keyset=RESOURCES,
        rows=catalogue.PAGE_SQL,
        count=catalogue.COUNT_SQL,
        key="{t}.id",
        bind=_resource_filter,
    ),
    ObjectRoot(
        field="resource",
        type="Resource",
        rows=catalogue.BY_ID_SQL,
        bind=_resource_by_id,
    ),
    ConnectionRoot(
        field="bookings",
        type="Booking",
        keyset=BOOKINGS,
        rows=bookings.PAGE_ROWS_SQL,
        count=bookings.COUNT_SQL,
        key="{t}.id",
        bind=_booking_filter,
        descending=True,
    ),
    ObjectRoot(field="booking", type="Booking", rows=bookings.BY_ID_ROWS_SQL, bind=_booking_by_id),
]

COMPILED: list[TypeMap | Root] = [RESOURCE, BOOKING, *ROOTS]
