"""The toy domain's one event type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from services.events.types import DomainEvent, Permission


@dataclass(frozen=True, kw_only=True)
class ToyEvent(DomainEvent, aggregate="toy"):
    source: ClassVar[str] = "alliance/toy"
    read_permission: ClassVar[Permission] = ("event", "subscribe")

    id: str
    message: str


@dataclass(frozen=True, kw_only=True)
class ToyWaved(ToyEvent, change="waved"):
    pass
