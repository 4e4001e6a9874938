"""Mutations of bookings (预约): request, approve, reject, cancel, complete."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.pagination import parse_id
from schema.permissions import requires
from schema.resources.inputs import RequestBookingInput
from schema.resources.types import Booking
from services.resources import booking_decisions, booking_requests


@strawberry.type
class BookingPayload:
    booking: Booking


@strawberry.type
class BookingMutation:
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
