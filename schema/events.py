"""Live events (实时事件) over graphql-transport-ws, and the activity feed (联盟动态)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncGenerator
from typing import cast

import strawberry
from strawberry.scalars import JSON

from schema.context import Info
from schema.nodes import Node, NodeType
from schema.pagination import Connection, Keyset, int_key
from schema.permissions import requires
from schema.schema_class import AllianceSchema
from services.activity import models, reads
from services.core.errors import BadUserInput, NotFound, SubscriberTooSlow
from services.core.identify import parse_key
from services.directory.reads import event_reader
from services.events import live
from services.events.catalog import EventCatalog
from services.events.envelope import Envelope
from services.events.visibility import Reader

_MAX_TYPES = 50
ACTIVITY = Keyset("activity", int_key)


@strawberry.type(description="An event of the alliance (事件), CloudEvents-style.")
class Event:
    id: strawberry.ID = strawberry.field(
        description=(
            "The event's global id (全局标识), also its activity entry's: node(id) answers the "
            "ActivityEntry of this event, for those who may read it in the feed."
        )
    )
    type: str = strawberry.field(description="Past tense and versioned, e.g. organization.created.v1.")
    source: str
    subject: str = strawberry.field(description="Id of the thing the event is about.")
    time: dt.datetime
    data: JSON

    @classmethod
    def from_envelope(cls, envelope: Envelope, *, show_actor: bool) -> Event:
        data = (
            envelope.data if show_actor or "actor" not in envelope.data else {**envelope.data, "actor": None}
        )
        return cls(
            id=strawberry.ID(str(envelope.id)),
            type=envelope.type,
            source=envelope.source,
            subject=envelope.subject,
            time=envelope.time,
            data=cast(JSON, data),
        )


@strawberry.type(description="One line of the alliance's activity feed (联盟动态).")
class ActivityEntry(Node):
    id: strawberry.ID = strawberry.field(
        description="The entry's global id (全局标识): its event's id, as the live Event carries it."
    )
    type: str
    subject: str
    actor: str | None
    summary: JSON
    time: dt.datetime

    @classmethod
    def from_model(cls, entry: models.ActivityEntry) -> ActivityEntry:
        return cls(
            id=strawberry.ID(str(entry.event_id)),
            type=entry.event_type,
            subject=entry.subject,
            actor=entry.actor,
            summary=cast(JSON, entry.summary),
            time=entry.occurred_at,
        )


def _checked_types(types: list[str] | None) -> list[str] | None:
    if types is None:
        return None
    if len(types) > _MAX_TYPES or any(not t or len(t) > 100 for t in types):
        raise BadUserInput(f"types takes at most {_MAX_TYPES} event type names", field="types")
    return types


def visible_event(envelope: Envelope, *, catalog: EventCatalog, reader: Reader) -> Event | None:
    """The event as ``reader`` may see it by push, by its type's read rule; None when it may
    not (a type this platform does not declare has no rule, and is not passed on)."""
    event = catalog.decode(envelope)
    if event is None:
        return None
    audience = event.audience()
    if not reader.admits(audience):
        return None
    return Event.from_envelope(envelope, show_actor=reader.sees_actor(audience))


async def _reader(info: Info) -> Reader:
    context = info.context
    catalog = cast(AllianceSchema, info.schema).platform.catalog
    async with context.db() as conn:
        return await event_reader(
            conn, principal=context.principal, allows=context.allows, permissions=catalog.permissions()
        )


@strawberry.type
class EventsQuery:
    @strawberry.field(
        description="Recent activity of the alliance, newest first (联盟动态).",
        extensions=requires("event", "subscribe"),
    )
    async def activity(
        self, info: Info, first: int | None = 20, after: str | None = None, types: list[str] | None = None
    ) -> Connection[ActivityEntry]:
        args = ACTIVITY.args(info, first, after)
        wanted = _checked_types(types)
        reader = await _reader(info)
        async with info.context.db() as conn:
            page = await reads.list_activity(
                conn, reader=reader, event_types=wanted, first=args.first, before_id=args.after
            )
        return ACTIVITY.connection(page, ActivityEntry.from_model)

    @strawberry.field(
        description="One entry of the activity feed by its event's id (联盟动态), as the feed shows it.",
        extensions=requires("event", "subscribe"),
    )
    async def activity_entry(self, info: Info, id: strawberry.ID) -> ActivityEntry:
        key = parse_key(id)
        reader = await _reader(info)
        async with info.context.db() as conn:
            found = (
                await reads.activity_entry(conn, reader=reader, event_id=key)
                if isinstance(key, uuid.UUID)
                else None
            )
        if found is None:
            raise NotFound("no such activity entry", field="id")
        return ActivityEntry.from_model(found)


@strawberry.type
class EventsSubscription:
    @strawberry.subscription(
        description=(
            "Events of the caller's alliance as they happen (实时事件); `types` narrows them. "
            'Authenticate in connection_init with {"Authorization": "Bearer <token>"}.'
        ),
        extensions=requires("event", "subscribe"),
    )
    async def events(self, info: Info, types: list[str] | None = None) -> AsyncGenerator[Event, None]:
        principal = info.context.principal
        wanted = _checked_types(types)
        catalog = cast(AllianceSchema, info.schema).platform.catalog
        reader = await _reader(info)
        hub = info.context.live_events
        async with hub.subscribe(tenant=principal.tenant_id, types=wanted) as stream:
            try:
                async for envelope in stream:
                    if (shown := visible_event(envelope, catalog=catalog, reader=reader)) is not None:
                        yield shown
            except live.SubscriberTooSlow:
                raise SubscriberTooSlow("this subscriber fell behind; subscribe again") from None


# The activity domain's root types (see services/activity/manifest.py).
Query = EventsQuery
Subscription = EventsSubscription

# An entry of the feed is a node (全局对象标识), found by its event's id.
NODES = (NodeType(ActivityEntry, table="activity", root="activity_entry", key="event_id"),)
