"""Keys of fields answered ahead are checked when they are made: a typo fails at import."""

from __future__ import annotations

import re

import pytest
import strawberry

from schema.ahead import Prefetched, answered_ahead
from schema.resources.types import BOOKING_REQUESTER, RESOURCE_OWNER, Booking, Resource


@strawberry.type
class Owner:
    name: str


@strawberry.type
class Item:
    title: str
    prefetched: strawberry.Private[Prefetched | None] = None

    @strawberry.field
    def owner(self) -> Owner | None:
        return None

    @strawberry.field
    def label(self) -> str:
        return self.title


@strawberry.type
class Bare:
    @strawberry.field
    def owner(self) -> Owner:
        return Owner(name="x")


def test_the_key_is_the_field_python_name() -> None:
    assert answered_ahead(Item, "owner") == "owner"
    assert (RESOURCE_OWNER, BOOKING_REQUESTER) == ("owner", "requester")
    assert answered_ahead(Resource, "owner") == RESOURCE_OWNER
    assert answered_ahead(Booking, "requester") == BOOKING_REQUESTER


def test_a_misspelt_field_fails() -> None:
    with pytest.raises(TypeError, match=re.escape("Item has no resolver field 'onwer'")):
        answered_ahead(Item, "onwer")
    with pytest.raises(TypeError, match="Resource has no resolver field 'ower'"):
        answered_ahead(Resource, "ower")


def test_a_plain_attribute_is_not_answered_ahead() -> None:
    with pytest.raises(TypeError, match="no resolver field 'title'"):
        answered_ahead(Item, "title")


def test_a_field_of_a_scalar_type_fails() -> None:
    with pytest.raises(TypeError, match=re.escape("Item.label is not of an object type")):
        answered_ahead(Item, "label")


def test_a_field_with_a_permission_fails() -> None:
    # upcomingBookings declares a permission: the execution always runs its resolver.
    with pytest.raises(TypeError, match=re.escape("Resource.upcoming_bookings has extensions")):
        answered_ahead(Resource, "upcoming_bookings")


def test_a_type_without_a_prefetched_mapping_fails() -> None:
    with pytest.raises(TypeError, match="Bare keeps no 'prefetched' mapping"):
        answered_ahead(Bare, "owner")
