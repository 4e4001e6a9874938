"""The event catalog: every event type of the running platform, from the domains' manifests."""

from __future__ import annotations

from collections.abc import Iterable

from services.events.envelope import Envelope
from services.events.topics import topic_for
from services.events.types import DomainEvent, Permission


class EventCatalog:
    """Type name → event class; refuses duplicates and abstract classes."""

    def __init__(self, classes: Iterable[type[DomainEvent]] = ()) -> None:
        self._by_type: dict[str, type[DomainEvent]] = {}
        for cls in classes:
            if not cls.is_concrete():
                raise TypeError(f"{cls.__name__} is not an event type (no change= given)")
            if cls.type_name in self._by_type:
                raise TypeError(f"event type {cls.type_name} declared twice")
            self._by_type[cls.type_name] = cls

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._by_type

    def __iter__(self) -> Iterable[type[DomainEvent]]:
        return iter(self._by_type.values())

    @property
    def classes(self) -> tuple[type[DomainEvent], ...]:
        return tuple(self._by_type.values())

    @property
    def type_names(self) -> list[str]:
        return sorted(self._by_type)

    def get(self, type_name: str) -> type[DomainEvent] | None:
        return self._by_type.get(type_name)

    def subclasses_of(self, base: type[DomainEvent]) -> list[type[DomainEvent]]:
        """The catalog's event types that are ``base`` or below it."""
        return [cls for cls in self._by_type.values() if issubclass(cls, base)]

    def topics(self) -> list[str]:
        """The topics the catalog's aggregates publish to (the relay creates them at start)."""
        return sorted({topic_for(cls.aggregate) for cls in self._by_type.values()})

    def permissions(self) -> frozenset[Permission]:
        """Every permission a read rule of the catalog may name."""
        found: set[Permission] = set()
        for cls in self._by_type.values():
            found.add(cls.read_permission)
            found.add(cls.actor_permission)
        return frozenset(found)

    def decode(self, envelope: Envelope) -> DomainEvent | None:
        """The typed event of ``envelope``, or None for a type the catalog does not know."""
        cls = self._by_type.get(envelope.type)
        return None if cls is None else cls.from_envelope(envelope)
