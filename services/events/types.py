"""Typed events: one frozen dataclass per event type, named once.

A domain declares an aggregate's base class and one subclass per change::

    @dataclass(frozen=True, kw_only=True)
    class BookingEvent(DomainEvent, aggregate="booking"):
        read_permission = ("booking", "read")

    @dataclass(frozen=True, kw_only=True)
    class BookingApproved(BookingEvent, change="approved"):
        id: str
        ...

The type name (``booking.approved.v1``), the audit action (``booking.approved``), the topic
(``alliance.booking.v1``), the activity-feed summary and the read rule all come from the
class. A malformed name fails when the class is made (at import); handlers are registered by
class, so a misspelt type cannot silently never fire.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from services.events.envelope import AGGREGATE_TYPE, Envelope

_CHANGE = re.compile(r"^[a-z][a-z_]*$")
_SNAKE_PART = re.compile(r"_([a-z])")

# (object, action) as in policies/policy.csv.
Permission = tuple[str, str]

# Data fields worth showing in a feed line; the rest stays in the event.
SUMMARY_FIELDS = ("name", "title", "kind", "status", "login", "role")


class EventTypeError(TypeError):
    """An event class is declared wrongly, or an envelope does not fit its class."""


def camel(name: str) -> str:
    """``owner_org_id`` → ``ownerOrgId``: event data keys keep the API's spelling."""
    return _SNAKE_PART.sub(lambda m: m.group(1).upper(), name)


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may read one event; computed from the event alone, applied to each reader
    by ``services.events.visibility`` (the feed, the live stream and webhooks alike)."""

    permission: Permission  # what the reader's roles must allow (as the query's field does)
    partners: bool = True  # partner systems too (when their role has the permission)
    managers_of: uuid.UUID | None = None  # only readers who see every organisation or manage this one
    actor_permission: Permission = ("role", "read")  # who may see the actor's login (as Booking.requestedBy)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event type. Subclass once per aggregate (``aggregate=``) and once per
    change (``change=``, optionally ``version=``); the dataclass fields are the payload."""

    aggregate: ClassVar[str] = ""
    change: ClassVar[str] = ""
    version: ClassVar[int] = 0
    type_name: ClassVar[str] = ""  # "" on abstract classes (an aggregate's base, this one)
    source: ClassVar[str] = "alliance"
    # The payload field holding the aggregate id (the Kafka key and the audit entity id).
    subject_field: ClassVar[str] = "id"
    # Audit trail: the entity type (default: the aggregate).
    audit_entity: ClassVar[str] = ""
    # The read rule's parts that hold for every event of the class (see ``audience``).
    read_permission: ClassVar[Permission] = ("event", "subscribe")
    actor_permission: ClassVar[Permission] = ("role", "read")

    actor: str | None = None  # the acting login, filled in by ``record_change``

    def __init_subclass__(cls, *, aggregate: str = "", change: str = "", version: int = 1, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if aggregate:
            if cls.aggregate:
                raise EventTypeError(f"{cls.__name__}: aggregate already set to {cls.aggregate!r}")
            if not AGGREGATE_TYPE.match(aggregate) or aggregate == "dlq":
                raise EventTypeError(f"{cls.__name__}: aggregate {aggregate!r} must match [a-z][a-z_]*")
            cls.aggregate = aggregate
            cls.type_name = ""
        if change:
            if not cls.aggregate:
                raise EventTypeError(f"{cls.__name__}: a change needs an aggregate base class")
            if not _CHANGE.match(change) or version < 1:
                raise EventTypeError(f"{cls.__name__}: change {change!r} v{version} is not a valid name")
            cls.change, cls.version = change, version
            cls.type_name = f"{cls.aggregate}.{change}.v{version}"
        elif not aggregate:
            cls.type_name = ""  # a further abstract level

    @classmethod
    def is_concrete(cls) -> bool:
        return bool(cls.type_name)

    @classmethod
    def audit_action(cls) -> str:
        """``booking.approved``: the audit action, the type name without its version."""
        return f"{cls.aggregate}.{cls.change}"

    @classmethod
    def payload_fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls) if f.name != "actor")

    @property
    def subject(self) -> str:
        return str(getattr(self, self.subject_field))

    def data(self) -> dict[str, Any]:
        """The payload as JSON-ready data (camelCase keys), with the actor."""
        found = {camel(name): getattr(self, name) for name in self.payload_fields()}
        found["actor"] = self.actor
        return found

    @classmethod
    def from_envelope(cls, envelope: Envelope) -> Self:
        """The typed event an envelope carries; ``EventTypeError`` if it does not fit."""
        if envelope.type != cls.type_name:
            raise EventTypeError(f"{envelope.type} is not {cls.type_name}")
        return cls.from_data(envelope.data)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            key = camel(f.name)
            if key in data:
                values[f.name] = data[key]
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise EventTypeError(f"{cls.type_name} data lacks {key}")
        return cls(**values)

    def summary(self) -> dict[str, Any]:
        """What a feed line shows of this event."""
        data = self.data()
        return {key: data[key] for key in SUMMARY_FIELDS if key in data}

    def audience(self) -> Audience:
        """The read rule: who may read this event. Aggregates refine it from the data."""
        return Audience(permission=self.read_permission, actor_permission=self.actor_permission)
