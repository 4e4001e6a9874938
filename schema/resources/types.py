"""Resource types: shared resources (共享资源), activity menus (活动菜单), bookings (预约), figures."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Annotated, cast

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import PermissionExtension

from schema.ahead import Prefetched, answered_ahead
from schema.context import Info
from schema.directory.loaders import organization_loader
from schema.directory.types import Organization, prefetched_organizations
from schema.loading import now_or_later
from schema.nodes import Node
from schema.permissions import Quietly
from schema.resources.loaders import (
    menu_item_loader,
    menu_loader,
    resource_loader,
    upcoming_loader,
    utilization_loader,
)
from services.core.errors import BadUserInput
from services.resources import models
from services.resources.rules import check_period

strawberry.enum(
    models.ResourceKind,
    name="ResourceKind",
    description=(
        "Kind of shared resource (资源类型): VENUE 场地, MATERIAL 物资 (lent by quantity), "
        "BASE 开放式组织生活基地 (open organisational-life base, with an activity menu), "
        "SERVICE 服务/志愿服务队, LECTURER 讲师, FUNDING 资金."
    ),
)
strawberry.enum(
    models.ResourceStatus,
    name="ResourceStatus",
    description="Life of a resource (资源状态): DRAFT 草稿 → PUBLISHED 已发布 → ARCHIVED 已下架.",
)
strawberry.enum(
    models.ResourceVisibility,
    name="ResourceVisibility",
    description=(
        "Who sees a published resource (可见范围): ALLIANCE 联盟成员, "
        "PARTNERS 联盟成员及合作系统 (partner systems too)."
    ),
)
strawberry.enum(
    models.BookingStatus,
    name="BookingStatus",
    description=(
        "Status of a booking (预约状态): PENDING 待审批, APPROVED 已批准, REJECTED 已驳回, "
        "CANCELLED 已取消, COMPLETED 已完成, NO_SHOW 未到场."
    ),
)

# Registered above as GraphQL enums; these names keep annotations readable.
ResourceKind = models.ResourceKind
ResourceStatus = models.ResourceStatus
ResourceVisibility = models.ResourceVisibility
BookingStatus = models.BookingStatus

UTILIZATION_DAYS = 30
MAX_UPCOMING = 50


def _id(value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(str(value))


def request_now(info: Info) -> dt.datetime:
    """One "now" per request, so every resource of a page shares a default period (one query)."""
    now: dt.datetime = info.context.loaders.setdefault("now", dt.datetime.now(dt.UTC).replace(microsecond=0))
    return now


@strawberry.type(description="A weekly opening window (开放时段), in the resource's local time.")
class OpeningWindow:
    weekday: int = strawberry.field(description="ISO weekday, 1 = Monday … 7 = Sunday (星期).")
    start: str = strawberry.field(description='Opening time "HH:MM" (开始).')
    end: str = strawberry.field(description='Closing time "HH:MM", "24:00" for midnight (结束).')


@strawberry.type(description="An activity on a base's menu (活动菜单项).")
class MenuItem(Node):
    id: strawberry.ID
    name: str = strawberry.field(description="Activity name (活动名称).")
    duration_minutes: int = strawberry.field(description="Duration in minutes (时长).")
    capacity: int | None = strawberry.field(description="Most people per batch (容纳人数).")
    description: str = strawberry.field(description="Short description (简介).")
    removed_at: dt.datetime | None

    @classmethod
    def from_model(cls, item: models.MenuItem) -> MenuItem:
        return cls(
            id=_id(item.id),
            name=item.name,
            duration_minutes=item.duration_minutes,
            capacity=item.capacity,
            description=item.description,
            removed_at=item.removed_at,
        )


@strawberry.type(description="Use of a resource over a period (利用率): held hours against open hours.")
class Utilization:
    period_from: dt.datetime = strawberry.field(name="from", description="Period start (起).")
    period_to: dt.datetime = strawberry.field(name="to", description="Period end, exclusive (止).")
    booked_hours: float = strawberry.field(description="Open hours covered by held bookings (已用时长).")
    open_hours: float = strawberry.field(description="Open hours in the period (开放时长).")
    rate: float | None = strawberry.field(description="bookedHours / openHours (利用率); null if never open.")

    @classmethod
    def from_model(cls, use: models.Utilization) -> Utilization:
        return cls(
            period_from=use.period_from,
            period_to=use.period_to,
            booked_hours=use.booked_hours,
            open_hours=use.open_hours,
            rate=use.rate,
        )


def _quietly(obj: str, act: str) -> list[FieldExtension]:
    """Null or an empty list (no error) for callers whose role may not ACT on OBJ."""
    return [PermissionExtension(permissions=[Quietly(obj, act)], use_directives=False, fail_silently=True)]


@strawberry.type(description="A shared resource (共享资源) posted by a member organisation.")
class Resource(Node):
    id: strawberry.ID
    kind: ResourceKind
    title: str = strawberry.field(description="Title (名称).")
    description: str = strawberry.field(description="Description (简介).")
    address: str | None = strawberry.field(description="Address (地址).")
    capacity: int | None = strawberry.field(description="Most attendees at once (容纳人数).")
    quantity: int | None = strawberry.field(description="Stock of a material (库存数量).")
    tags: list[str] = strawberry.field(description="Tags (标签).")
    photo_urls: list[str] = strawberry.field(description="Photo URLs (照片).")
    opening_hours: list[OpeningWindow] = strawberry.field(
        description="Weekly opening windows (开放时间); empty means bookable at any time."
    )
    blackout_dates: list[dt.date] = strawberry.field(description="Closed dates (不开放日期).")
    time_zone: str = strawberry.field(description="Time zone of the opening hours (时区).")
    status: ResourceStatus
    visibility: ResourceVisibility
    owner_org_id: strawberry.ID = strawberry.field(description="Owning organisation (所属单位).")
    published_at: dt.datetime | None
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # Resolver fields answered ahead by the query that made this object (schema.execution).
    prefetched: strawberry.Private[Prefetched | None] = None

    @classmethod
    def from_model(cls, resource: models.Resource) -> Resource:
        return cls(
            id=_id(resource.id),
            kind=ResourceKind(resource.kind),
            title=resource.title,
            description=resource.description,
            address=resource.address,
            capacity=resource.capacity,
            quantity=resource.quantity,
            tags=resource.tags,
            photo_urls=resource.photo_urls,
            # The model's windows carry the GraphQL type's fields (weekday, start, end), and
            # GraphQL reads fields by name: they are served as they are, not copied per row.
            opening_hours=cast(list[OpeningWindow], resource.opening_hours),
            blackout_dates=resource.blackout_dates,
            time_zone=resource.time_zone,
            status=ResourceStatus(resource.status),
            visibility=ResourceVisibility(resource.visibility),
            owner_org_id=_id(resource.owner_org_id),
            published_at=resource.published_at,
            archived_at=resource.archived_at,
            created_at=resource.created_at,
            updated_at=resource.updated_at,
        )

    @strawberry.field(description="Owning organisation (所属单位).")
    def owner(self, info: Info) -> Organization | None:
        # Synchronous: a page that fetched its owners along answers at once (see now_or_later).
        loader = organization_loader(info.context)
        result: Organization | None = now_or_later(loader, uuid.UUID(self.owner_org_id), Organization.or_none)
        return result

    @strawberry.field(description="Activity menu of a base (活动菜单); empty for other kinds.")
    async def menu(self, info: Info) -> list[MenuItem]:
        if self.kind != ResourceKind.BASE:
            return []
        items = await menu_loader(info.context).load(uuid.UUID(self.id))
        return [MenuItem.from_model(item) for item in items]

    @strawberry.field(
        description="Approved bookings not yet over, soonest first (近期预约); empty without booking read.",
        extensions=_quietly("booking", "read"),
    )
    def upcoming_bookings(self, info: Info, first: int = 10) -> list[Booking]:
        if not 1 <= first <= MAX_UPCOMING:
            raise BadUserInput(f"first must be between 1 and {MAX_UPCOMING}", field="first")
        # Synchronous: a page that fetched its bookings along answers at once (see now_or_later).
        key = (uuid.UUID(self.id), first)
        requesters = prefetched_organizations(info.context)
        result: list[Booking] = now_or_later(
            upcoming_loader(info.context), key, lambda found: Booking.from_models(found, requesters)
        )
        return result

    @strawberry.field(
        description=(
            f"Use over a period (利用率); by default the last {UTILIZATION_DAYS} days up to now. "
            "Null without booking read: booked hours are read from the bookings."
        ),
        extensions=_quietly("booking", "read"),
    )
    async def utilization(
        self,
        info: Info,
        period_from: Annotated[dt.datetime | None, strawberry.argument(name="from")] = None,
        period_to: Annotated[dt.datetime | None, strawberry.argument(name="to")] = None,
    ) -> Utilization | None:
        end = period_to or request_now(info)
        start = period_from or end - dt.timedelta(days=UTILIZATION_DAYS)
        check_period(start, end)
        use = await utilization_loader(info.context).load((uuid.UUID(self.id), start, end))
        return Utilization.from_model(use)


@strawberry.type(description="A booking of a shared resource (预约).")
class Booking(Node):
    id: strawberry.ID
    status: BookingStatus
    resource_id: strawberry.ID
    requester_org_id: strawberry.ID = strawberry.field(description="Requesting organisation (申请单位).")
    start: dt.datetime = strawberry.field(description="Window start (开始时间).")
    end: dt.datetime = strawberry.field(description="Window end, exclusive (结束时间).")
    attendees: int | None = strawberry.field(description="Number of attendees (参加人数).")
    quantity: int = strawberry.field(description="Items lent, for materials (数量).")
    purpose: str | None = strawberry.field(description="Purpose (用途).")
    menu_item_id: strawberry.ID | None = strawberry.field(description="Chosen activity of a base (所选活动).")
    batch: str | None = strawberry.field(description="Batch of members coming to a base (批次).")
    reason: str | None = strawberry.field(description="Reason given with a rejection (驳回理由).")
    decided_at: dt.datetime | None = strawberry.field(description="When approved or rejected (审批时间).")
    created_at: dt.datetime
    updated_at: dt.datetime
    _requested_by: strawberry.Private[str | None]
    # Resolver fields answered ahead by the query that made this object (schema.execution).
    prefetched: strawberry.Private[Prefetched | None] = None

    @classmethod
    def from_model(cls, booking: models.Booking) -> Booking:
        return cls(
            id=_id(booking.id),
            status=BookingStatus(booking.status),
            resource_id=_id(booking.resource_id),
            requester_org_id=_id(booking.requester_org_id),
            _requested_by=booking.requested_by_login,
            start=booking.starts_at,
            end=booking.ends_at,
            attendees=booking.attendees,
            quantity=booking.quantity,
            purpose=booking.purpose,
            menu_item_id=_id(booking.menu_item_id) if booking.menu_item_id else None,
            batch=booking.batch,
            reason=booking.decision_reason,
            decided_at=booking.decided_at,
            created_at=booking.created_at,
            updated_at=booking.updated_at,
        )

    @classmethod
    def from_models(
        cls, bookings: list[models.Booking], requesters: Mapping[uuid.UUID, Organization | None] | None = None
    ) -> list[Booking]:
        """Bookings, with their requesters answered ahead where ``requesters`` has them."""
        found = [cls.from_model(b) for b in bookings]
        if requesters:
            for booking, model in zip(found, bookings, strict=True):
                if model.requester_org_id in requesters:
                    booking.prefetched = {BOOKING_REQUESTER: requesters[model.requester_org_id]}
        return found

    @strawberry.field(
        description="Login of the person who asked (申请人); for those who may read role grants, else null.",
        extensions=_quietly("role", "read"),
    )
    def requested_by(self) -> str | None:
        return self._requested_by

    @strawberry.field(description="The booked resource (预约资源).")
    async def resource(self, info: Info) -> Resource | None:
        found = await resource_loader(info.context).load(uuid.UUID(self.resource_id))
        return Resource.from_model(found) if found else None

    @strawberry.field(description="Requesting organisation (申请单位).")
    def requester(self, info: Info) -> Organization | None:
        # Synchronous: answers at once when the requester was fetched along (see now_or_later).
        loader = organization_loader(info.context)
        result: Organization | None = now_or_later(
            loader, uuid.UUID(self.requester_org_id), Organization.or_none
        )
        return result

    @strawberry.field(description="Chosen activity of a base (所选活动).")
    async def menu_item(self, info: Info) -> MenuItem | None:
        if self.menu_item_id is None:
            return None
        found = await menu_item_loader(info.context).load(uuid.UUID(self.menu_item_id))
        return MenuItem.from_model(found) if found else None


# Fields a query may answer ahead (schema.ahead): checked here, at import.
RESOURCE_OWNER = answered_ahead(Resource, "owner")
BOOKING_REQUESTER = answered_ahead(Booking, "requester")


@strawberry.type(description="Resources of one kind (按类型统计).")
class KindCount:
    kind: ResourceKind
    count: int


@strawberry.type(description="Bookings in one status (按状态统计).")
class StatusCount:
    status: BookingStatus
    count: int


@strawberry.type(description="Hours used of one venue or base in the period (场地使用时长).")
class VenueUse:
    resource_id: strawberry.ID
    title: str
    kind: ResourceKind
    booked_hours: float = strawberry.field(description="Open hours covered by held bookings (已用时长).")
    open_hours: float = strawberry.field(description="Open hours while shared (开放时长).")
    rate: float | None = strawberry.field(description="Utilisation rate (利用率).")

    @strawberry.field(description="The venue (场地).")
    async def resource(self, info: Info) -> Resource | None:
        found = await resource_loader(info.context).load(uuid.UUID(self.resource_id))
        return Resource.from_model(found) if found else None


@strawberry.type(
    description="Figures of resource sharing for 数据化考核, computed from the data (资源共享统计)."
)
class ResourceFigures:
    org_id: strawberry.ID | None = strawberry.field(
        description="The organisation; null for the whole alliance."
    )
    period_from: dt.datetime = strawberry.field(name="from", description="Period start (起).")
    period_to: dt.datetime = strawberry.field(name="to", description="Period end, exclusive (止).")
    resources_by_kind: list[KindCount] = strawberry.field(
        description="Resources shared at some time in the period, by kind (共享资源数)."
    )
    bookings_by_status: list[StatusCount] = strawberry.field(
        description="Bookings of its resources overlapping the period, by status (收到的预约)."
    )
    requests_by_status: list[StatusCount] = strawberry.field(
        description="Bookings it requested overlapping the period, by status (提出的预约)."
    )
    venues: list[VenueUse] = strawberry.field(description="Hours used per venue and base (场地使用).")
    booked_hours: float = strawberry.field(
        description="Hours used over all its venues and bases (总使用时长)."
    )
    open_hours: float = strawberry.field(description="Open hours over all its venues and bases (总开放时长).")
    utilization_rate: float | None = strawberry.field(description="bookedHours / openHours (利用率).")

    @classmethod
    def from_model(cls, figures: models.ResourceFigures) -> ResourceFigures:
        return cls(
            org_id=_id(figures.organization_id) if figures.organization_id else None,
            period_from=figures.period_from,
            period_to=figures.period_to,
            resources_by_kind=[
                KindCount(kind=ResourceKind(k), count=n) for k, n in figures.resources_by_kind.items()
            ],
            bookings_by_status=[
                StatusCount(status=BookingStatus(s), count=n) for s, n in figures.bookings_by_status.items()
            ],
            requests_by_status=[
                StatusCount(status=BookingStatus(s), count=n) for s, n in figures.requests_by_status.items()
            ],
            venues=[
                VenueUse(
                    resource_id=_id(v.resource_id),
                    title=v.title,
                    kind=ResourceKind(v.kind),
                    booked_hours=v.booked_hours,
                    open_hours=v.open_hours,
                    rate=v.rate,
                )
                for v in figures.venues
            ],
            booked_hours=figures.booked_hours,
            open_hours=figures.open_hours,
            utilization_rate=figures.utilization_rate,
        )
