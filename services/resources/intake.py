"""The resources domain's declared write interface for other domains (DESIGN.md §7b).

A joint council's meeting books its venue here, in the council's own transaction: the
request goes through the same rules as any member's (opening hours, capacity, a clash with
an approved booking answers CONFLICT), and the owner approves it as usual. Cancelling the
meeting cancels the request.
"""

from __future__ import annotations

from services.resources.booking_decisions import cancel_booking
from services.resources.booking_requests import BookingRequest, request_booking
from services.resources.models import Booking

__all__ = ["Booking", "BookingRequest", "cancel_booking", "request_booking"]
