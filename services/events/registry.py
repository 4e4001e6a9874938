"""Which service handles which events: the registry the workers run.

Domains register typed handlers by event class (``registry.handle(service=…, event=…,
handler=…)``): ``handler(conn, event, envelope)`` receives the decoded event. A class stands
for itself and every event type below it, so an aggregate's base class (or ``DomainEvent``)
subscribes to all of its types; the topics a service reads follow from the classes.
Infrastructure and tests may register raw handlers ``handler(conn, envelope)`` by aggregate
and type pattern (``add``).

A handler runs inside the transaction that records the event in the service's inbox, so its
effect and the "handled" mark commit together. Handlers that touch tenant tables set the
tenant first (``services.events.consumer.set_tenant``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg

from services.events.catalog import EventCatalog
from services.events.envelope import Envelope
from services.events.topics import EVENT_TOPIC_PATTERN, topic_for
from services.events.types import DomainEvent

Handler = Callable[[asyncpg.Connection, Envelope], Awaitable[None]]
E = TypeVar("E", bound=DomainEvent)
TypedHandler = Callable[[asyncpg.Connection, E, Envelope], Awaitable[None]]

ANY = "*"
_SERVICE = re.compile(r"^[a-z][a-z0-9_-]*$")


class UnknownServiceError(LookupError):
    """No handlers are registered under that service name."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """One handler, and the events it wants."""

    handler: Handler
    aggregate_type: str = ANY  # one aggregate type (one topic), or every one
    event_type: str = ANY  # an event type or a glob such as ``organization.*``
    # Typed subscriptions: exactly these event types, on these aggregates' topics.
    event_types: frozenset[str] | None = None
    aggregate_types: frozenset[str] = frozenset()

    def matches(self, envelope: Envelope) -> bool:
        """Whether ``envelope`` is for this handler."""
        if self.event_types is not None:
            return envelope.type in self.event_types
        return (self.aggregate_type in (ANY, envelope.aggregate_type)) and fnmatch.fnmatchcase(
            envelope.type, self.event_type
        )

    def topics(self) -> set[str] | None:
        """This subscription's topics, or None for every event topic."""
        if self.event_types is not None:
            return {topic_for(aggregate) for aggregate in self.aggregate_types}
        return None if self.aggregate_type == ANY else {topic_for(self.aggregate_type)}


class Registry:
    """Service name → subscriptions. Each service is one consumer group, ``alliance.<service>``."""

    def __init__(self, catalog: EventCatalog | None = None) -> None:
        self.catalog = catalog or EventCatalog()
        self._subscriptions: dict[str, list[Subscription]] = {}

    def handle(self, *, service: str, event: type[E], handler: TypedHandler[E]) -> None:
        """Register a typed handler for ``event`` and every catalogued type below it."""
        types = self.catalog.subclasses_of(event)
        if not types:
            raise LookupError(
                f"{event.__name__} names no event type of the catalog: declare it in its domain's manifest"
            )
        catalog = self.catalog

        async def typed(conn: asyncpg.Connection, envelope: Envelope) -> None:
            decoded: Any = catalog.decode(envelope)
            await handler(conn, decoded, envelope)

        typed.__qualname__ = getattr(handler, "__qualname__", "typed")
        self._add(
            service,
            Subscription(
                typed,
                event_types=frozenset(cls.type_name for cls in types),
                aggregate_types=frozenset(cls.aggregate for cls in types),
            ),
        )

    def _add(self, service: str, subscription: Subscription) -> None:
        if not _SERVICE.match(service):
            raise ValueError(f"service name {service!r} must match [a-z][a-z0-9_-]*")
        self._subscriptions.setdefault(service, []).append(subscription)

    def add(
        self, *, service: str, handler: Handler, aggregate_type: str = ANY, event_type: str = ANY
    ) -> None:
        """Register ``handler`` for ``service``'s events of that aggregate type and event type."""
        if aggregate_type != ANY:
            topic_for(aggregate_type)  # validates the name
        self._add(service, Subscription(handler, aggregate_type, event_type))

    def on(
        self, *, service: str, aggregate_type: str = ANY, event_type: str = ANY
    ) -> Callable[[Handler], Handler]:
        """Decorator form of ``add``."""

        def register(handler: Handler) -> Handler:
            self.add(service=service, handler=handler, aggregate_type=aggregate_type, event_type=event_type)
            return handler

        return register

    @property
    def services(self) -> list[str]:
        """Registered service names, sorted."""
        return sorted(self._subscriptions)

    def subscriptions(self, service: str) -> tuple[Subscription, ...]:
        """``service``'s subscriptions; ``UnknownServiceError`` if it has none."""
        try:
            return tuple(self._subscriptions[service])
        except KeyError:
            known = ", ".join(self.services) or "none registered yet"
            raise UnknownServiceError(f"unknown service {service!r} (known: {known})") from None

    def handlers_for(self, service: str, envelope: Envelope) -> list[Handler]:
        """``service``'s handlers for ``envelope``, in registration order."""
        return [s.handler for s in self.subscriptions(service) if s.matches(envelope)]

    def topics(self, service: str) -> list[str] | None:
        """The topics ``service`` reads, or ``None`` when it reads every event topic."""
        wanted: set[str] = set()
        for subscription in self.subscriptions(service):
            topics = subscription.topics()
            if topics is None:
                return None
            wanted |= topics
        return sorted(wanted)

    def known_topics(self) -> list[str]:
        """The topics of every catalogued event type (created before a pattern subscribes)."""
        return self.catalog.topics()

    def topic_pattern(self, service: str) -> str | None:
        """The topic pattern for a service that reads every event topic, else ``None``."""
        return EVENT_TOPIC_PATTERN if self.topics(service) is None else None
