"""Which service handles which events: the registry the workers run.

A handler is a plain async function ``handler(conn, envelope)``. It runs inside the
transaction that records the event in the service's inbox, so its effect and the "handled"
mark commit together. Handlers that touch tenant tables set the tenant first
(``services.events.consumer.set_tenant``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from services.events.envelope import Envelope
from services.events.topics import EVENT_TOPIC_PATTERN, topic_for

Handler = Callable[[asyncpg.Connection, Envelope], Awaitable[None]]

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

    def matches(self, envelope: Envelope) -> bool:
        """Whether ``envelope`` is for this handler."""
        return (self.aggregate_type in (ANY, envelope.aggregate_type)) and fnmatch.fnmatchcase(
            envelope.type, self.event_type
        )


class Registry:
    """Service name → subscriptions. Each service is one consumer group, ``alliance.<service>``."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, list[Subscription]] = {}

    def add(
        self, *, service: str, handler: Handler, aggregate_type: str = ANY, event_type: str = ANY
    ) -> None:
        """Register ``handler`` for ``service``'s events of that aggregate type and event type."""
        if not _SERVICE.match(service):
            raise ValueError(f"service name {service!r} must match [a-z][a-z0-9_-]*")
        if aggregate_type != ANY:
            topic_for(aggregate_type)  # validates the name
        subscription = Subscription(handler, aggregate_type, event_type)
        self._subscriptions.setdefault(service, []).append(subscription)

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
        wanted = {s.aggregate_type for s in self.subscriptions(service)}
        if ANY in wanted:
            return None
        return sorted(topic_for(aggregate_type) for aggregate_type in wanted)

    def topic_pattern(self, service: str) -> str | None:
        """The topic pattern for a service that reads every event topic, else ``None``."""
        return EVENT_TOPIC_PATTERN if self.topics(service) is None else None


def default_registry() -> Registry:
    """The platform's handlers, by service; the workers run these."""
    # Imported here: handler modules import this one for the Registry type.
    from services.activity.handlers import register as register_activity

    registry = Registry()
    register_activity(registry)
    return registry
