"""Resource mutations, one module per aggregate. Each is one transaction with its audit row
and its event."""

from __future__ import annotations

import strawberry

from schema.resources.mutations.bookings import BookingMutation
from schema.resources.mutations.menu import MenuMutation
from schema.resources.mutations.resources import ResourceMutation


@strawberry.type
class ResourcesMutation(ResourceMutation, MenuMutation, BookingMutation):
    pass
