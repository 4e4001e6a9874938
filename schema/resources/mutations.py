"""Resource and booking mutations. Each is one transaction with its audit row and its event."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.context import Info
from schema.pagination import parse_id
from schema.permissions import requires
from schema.resources.types import Booking, MenuItem, Resource, ResourceKind, ResourceVisibility
from services.resources import booking_decisions, booking_requests, menu, resources
from services.resources.models import OpeningWindow


@strawberry.input(description="A weekly opening window (开放时段), local time.")
class OpeningWindowInput:
    weekday: int = strawberry.field(description="ISO weekday, 1 = Monday … 7 = Sunday.")
    start: str = strawberry.field(description='"HH:MM".')
    end: str = strawberry.field(description='"HH:MM", or "24:00" for midnight.')


@strawberry.input(description="A new shared resource, posted as a draft (发布共享资源).")
class CreateResourceInput:
    kind: ResourceKind
    title: str
    description: str | None = None
    owner_org_id: strawberry.ID | None = strawberry.field(
        default=None, description="Owning organisation (所属单位); by default the caller's own."
    )
    address: str | None = None
    capacity: int | None = strawberry.field(default=None, description="Most attendees at once (容纳人数).")
    quantity: int | None = strawberry.field(
        default=None, description="Stock; required for a MATERIAL (库存)."
    )
    tags: list[str] | None = None
    photo_urls: list[str] | None = strawberry.field(default=None, description="http(s) URLs (照片).")
    opening_hours: list[OpeningWindowInput] | None = strawberry.field(
        default=None, description="Weekly windows (开放时间); none given means bookable at any time."
    )
    blackout_dates: list[dt.date] | None = strawberry.field(
        default=None, description="Closed dates (不开放日期)."
    )
    visibility: ResourceVisibility = ResourceVisibility.ALLIANCE


@strawberry.input(
    description="Changes to a resource; omitted fields stay, an empty list clears (修改共享资源)."
)
class UpdateResourceInput:
    id: strawberry.ID
    title: str | None = None
    description: str | None = None
    address: str | None = None
    capacity: int | None = None
    quantity: int | None = None
    tags: list[str] | None = None
    photo_urls: list[str] | None = None
    opening_hours: list[OpeningWindowInput] | None = None
    blackout_dates: list[dt.date] | None = None
    visibility: ResourceVisibility | None = None


@strawberry.input(description="A new activity on a base's menu (新增活动菜单项).")
class AddMenuItemInput:
    resource_id: strawberry.ID
    name: str
    duration_minutes: int
    capacity: int | None = None
    description: str | None = None


@strawberry.input(description="Changes to a menu item; omitted fields stay (修改活动菜单项).")
class UpdateMenuItemInput:
    id: strawberry.ID
    name: str | None = None
    duration_minutes: int | None = None
    capacity: int | None = None
    description: str | None = None


@strawberry.input(description="A booking request (预约申请).")
class RequestBookingInput:
    resource_id: strawberry.ID
    start: dt.datetime = strawberry.field(description="ISO-8601 with offset, e.g. 2026-12-04T14:00:00+08:00.")
    end: dt.datetime = strawberry.field(
        description="ISO-8601 with offset; after start, at most 31 days later."
    )
    attendees: int | None = strawberry.field(default=None, description="Number of attendees (参加人数).")
    quantity: int | None = strawberry.field(
        default=None, description="Items, for a MATERIAL (数量); default 1."
    )
    purpose: str | None = strawberry.field(default=None, description="Purpose (用途).")
    menu_item_id: strawberry.ID | None = strawberry.field(
        default=None, description="Activity of a base (活动)."
    )
    batch: str | None = strawberry.field(
        default=None, description="Batch of members coming to a base (批次)."
    )
    requester_org_id: strawberry.ID | None = strawberry.field(
        default=None, description="Requesting organisation; by default the caller's own (申请单位)."
    )


@strawberry.type
class ResourcePayload:
    resource: Resource


@strawberry.type
class MenuItemPayload:
    menu_item: MenuItem


@strawberry.type
class BookingPayload:
    booking: Booking


def _hours(windows: list[OpeningWindowInput] | None) -> list[OpeningWindow] | None:
    if windows is None:
        return None
    return [OpeningWindow(weekday=w.weekday, start=w.start, end=w.end) for w in windows]


@strawberry.type
class ResourcesMutation:
    @strawberry.mutation(
        description="Post a shared resource as a draft (发布共享资源).",
        extensions=requires("resource", "create"),
    )
    async def create_resource(self, info: Info, input: CreateResourceInput) -> ResourcePayload:
        data = resources.ResourceInput(
            owner_org_id=parse_id(input.owner_org_id, "ownerOrgId") if input.owner_org_id else None,
            kind=input.kind,
            title=input.title,
            description=input.description,
            address=input.address,
            capacity=input.capacity,
            quantity=input.quantity,
            tags=input.tags,
            photo_urls=input.photo_urls,
            opening_hours=_hours(input.opening_hours),
            blackout_dates=input.blackout_dates,
            visibility=input.visibility,
        )
        async with info.context.db() as conn:
            created = await resources.create_resource(conn, actor=info.context.principal, data=data)
        return ResourcePayload(resource=Resource.from_model(created))

    @strawberry.mutation(
        description="Change a resource (修改共享资源).", extensions=requires("resource", "update")
    )
    async def update_resource(self, info: Info, input: UpdateResourceInput) -> ResourcePayload:
        data = resources.ResourceInput(
            title=input.title,
            description=input.description,
            address=input.address,
            capacity=input.capacity,
            quantity=input.quantity,
            tags=input.tags,
            photo_urls=input.photo_urls,
            opening_hours=_hours(input.opening_hours),
            blackout_dates=input.blackout_dates,
            visibility=input.visibility,
        )
        async with info.context.db() as conn:
            updated = await resources.update_resource(
                conn, actor=info.context.principal, resource_id=parse_id(input.id), data=data
            )
        return ResourcePayload(resource=Resource.from_model(updated))

    @strawberry.mutation(
        description="Publish a draft resource (上架): members can see and book it.",
        extensions=requires("resource", "publish"),
    )
    async def publish_resource(self, info: Info, id: strawberry.ID) -> ResourcePayload:
        async with info.context.db() as conn:
            published = await resources.publish_resource(
                conn, actor=info.context.principal, resource_id=parse_id(id)
            )
        return ResourcePayload(resource=Resource.from_model(published))

    @strawberry.mutation(
        description="Archive a resource (下架); it needs no open booking left.",
        extensions=requires("resource", "archive"),
    )
    async def archive_resource(self, info: Info, id: strawberry.ID) -> ResourcePayload:
        async with info.context.db() as conn:
            archived = await resources.archive_resource(
                conn, actor=info.context.principal, resource_id=parse_id(id)
            )
        return ResourcePayload(resource=Resource.from_model(archived))

    @strawberry.mutation(
        description="Add an activity to a base's menu (新增活动菜单项).",
        extensions=requires("resource", "update"),
    )
    async def add_menu_item(self, info: Info, input: AddMenuItemInput) -> MenuItemPayload:
        data = menu.MenuItemInput(
            name=input.name,
            duration_minutes=input.duration_minutes,
            capacity=input.capacity,
            description=input.description,
        )
        async with info.context.db() as conn:
            item = await menu.add_menu_item(
                conn,
                actor=info.context.principal,
                resource_id=parse_id(input.resource_id, "resourceId"),
                data=data,
            )
        return MenuItemPayload(menu_item=MenuItem.from_model(item))

    @strawberry.mutation(
        description="Change a menu item (修改活动菜单项).", extensions=requires("resource", "update")
    )
    async def update_menu_item(self, info: Info, input: UpdateMenuItemInput) -> MenuItemPayload:
        data = menu.MenuItemInput(
            name=input.name,
            duration_minutes=input.duration_minutes,
            capacity=input.capacity,
            description=input.description,
        )
        async with info.context.db() as conn:
            item = await menu.update_menu_item(
                conn, actor=info.context.principal, item_id=parse_id(input.id), data=data
            )
        return MenuItemPayload(menu_item=MenuItem.from_model(item))

    @strawberry.mutation(
        description="Take an activity off a base's menu (移除活动菜单项).",
        extensions=requires("resource", "update"),
    )
    async def remove_menu_item(self, info: Info, id: strawberry.ID) -> MenuItemPayload:
        async with info.context.db() as conn:
            item = await menu.remove_menu_item(conn, actor=info.context.principal, item_id=parse_id(id))
        return MenuItemPayload(menu_item=MenuItem.from_model(item))

    @strawberry.mutation(
        description="Ask to book a resource (预约申请).", extensions=requires("booking", "request")
    )
    async def request_booking(self, info: Info, input: RequestBookingInput) -> BookingPayload:
        request = booking_requests.BookingRequest(
            resource_id=parse_id(input.resource_id, "resourceId"),
            start=input.start,
            end=input.end,
            attendees=input.attendees,
            quantity=input.quantity,
            purpose=input.purpose,
            menu_item_id=parse_id(input.menu_item_id, "menuItemId") if input.menu_item_id else None,
            batch=input.batch,
            requester_org_id=parse_id(input.requester_org_id, "requesterOrgId")
            if input.requester_org_id
            else None,
        )
        async with info.context.db() as conn:
            booking = await booking_requests.request_booking(
                conn, actor=info.context.principal, request=request
            )
        return BookingPayload(booking=Booking.from_model(booking))

    @strawberry.mutation(
        description=(
            "Approve a pending booking (批准预约); the owner's admin only, never one's own request. "
            "A lost race answers CONFLICT."
        ),
        extensions=requires("booking", "approve"),
    )
    async def approve_booking(self, info: Info, id: strawberry.ID) -> BookingPayload:
        async with info.context.db() as conn:
            booking = await booking_decisions.approve_booking(
                conn, actor=info.context.principal, booking_id=parse_id(id)
            )
        return BookingPayload(booking=Booking.from_model(booking))

    @strawberry.mutation(
        description="Reject a pending booking with a reason (驳回预约); the owner's admin only.",
        extensions=requires("booking", "reject"),
    )
    async def reject_booking(self, info: Info, id: strawberry.ID, reason: str) -> BookingPayload:
        async with info.context.db() as conn:
            booking = await booking_decisions.reject_booking(
                conn, actor=info.context.principal, booking_id=parse_id(id), reason=reason
            )
        return BookingPayload(booking=Booking.from_model(booking))

    @strawberry.mutation(
        description="Cancel a booking before it starts (取消预约): the requester's or the owner's side.",
        extensions=requires("booking", "cancel"),
    )
    async def cancel_booking(self, info: Info, id: strawberry.ID) -> BookingPayload:
        async with info.context.db() as conn:
            booking = await booking_decisions.cancel_booking(
                conn, actor=info.context.principal, booking_id=parse_id(id)
            )
        return BookingPayload(booking=Booking.from_model(booking))

    @strawberry.mutation(
        description="Close an approved booking once it has begun (完成预约): completed, or NO_SHOW (未到场).",
        extensions=requires("booking", "complete"),
    )
    async def complete_booking(self, info: Info, id: strawberry.ID, no_show: bool = False) -> BookingPayload:
        async with info.context.db() as conn:
            booking = await booking_decisions.complete_booking(
                conn, actor=info.context.principal, booking_id=parse_id(id), no_show=no_show
            )
        return BookingPayload(booking=Booking.from_model(booking))
