"""The ledger's event types.

Aggregates: ``ledger_item`` (created, progressed, submitted, signed_off, returned, cancelled,
due_date_changed, due_soon, overdue) and ``responsibility_letter`` (issued, acknowledged).
Both are read as the ledger is read: by those who may read the ledger (never partners, who
read figures only), and only by the admins of the responsible (recipient) organisation, its
ancestors', and those who see every organisation.

An item's data carries its source as ``source`` / ``sourceId`` / ``sourceKey`` (the field is
called ``origin`` in Python, since ``source`` names the event's producer on every event).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from services.events.types import Audience, DomainEvent, Permission
from services.ledger.models import LedgerItem


@dataclass(frozen=True, kw_only=True)
class LedgerItemEvent(DomainEvent, aggregate="ledger_item"):
    source: ClassVar[str] = "alliance/ledger"
    read_permission: ClassVar[Permission] = ("ledger", "read")

    id: str
    list: str
    title: str
    organization_id: str
    assigning_organization_id: str
    responsible_organization_id: str
    year: int
    due_date: str
    status: str
    percent: int
    origin: str
    source_id: str | None
    source_key: str | None
    note: str | None = None  # the step's note, reason or comment

    @classmethod
    def of(cls, item: LedgerItem, *, note: str | None = None) -> Self:
        return cls(
            id=str(item.id),
            list=item.list,
            title=item.title,
            organization_id=str(item.organization_id),
            assigning_organization_id=str(item.assigning_organization_id),
            responsible_organization_id=str(item.responsible_organization_id),
            year=item.year,
            due_date=item.due_date.isoformat(),
            status=item.status,
            percent=item.percent,
            origin=item.source,
            source_id=str(item.source_id) if item.source_id else None,
            source_key=item.source_key,
            note=note,
        )

    def data(self) -> dict[str, Any]:
        found = super().data()
        found["source"] = found.pop("origin")
        return found

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        renamed = dict(data)
        if "source" in renamed:
            renamed["origin"] = renamed.pop("source")
        return super().from_data(renamed)

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission,
            partners=False,
            managers_of=uuid.UUID(self.responsible_organization_id),
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class LedgerItemCreated(LedgerItemEvent, change="created"):
    pass


@dataclass(frozen=True, kw_only=True)
class LedgerItemProgressed(LedgerItemEvent, change="progressed"):
    pass


@dataclass(frozen=True, kw_only=True)
class LedgerItemSubmitted(LedgerItemEvent, change="submitted"):
    pass


@dataclass(frozen=True, kw_only=True)
class LedgerItemSignedOff(LedgerItemEvent, change="signed_off"):
    """销号: the item is closed by the level above. Other domains react to this one (a
    co-building milestone completes); their handlers must be idempotent."""


@dataclass(frozen=True, kw_only=True)
class LedgerItemReturned(LedgerItemEvent, change="returned"):
    pass


@dataclass(frozen=True, kw_only=True)
class LedgerItemCancelled(LedgerItemEvent, change="cancelled"):
    pass


@dataclass(frozen=True, kw_only=True)
class LedgerItemDueDateChanged(LedgerItemEvent, change="due_date_changed"):
    pass


@dataclass(frozen=True, kw_only=True)
class LedgerItemDueSoon(LedgerItemEvent, change="due_soon"):
    pass


@dataclass(frozen=True, kw_only=True)
class LedgerItemOverdue(LedgerItemEvent, change="overdue"):
    pass


@dataclass(frozen=True, kw_only=True)
class ResponsibilityLetterEvent(DomainEvent, aggregate="responsibility_letter"):
    source: ClassVar[str] = "alliance/ledger"
    read_permission: ClassVar[Permission] = ("ledger", "read")

    id: str
    organization_id: str
    issuer_organization_id: str
    year: int
    item_ids: list[str]
    acknowledged: bool

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission,
            partners=False,
            managers_of=uuid.UUID(self.organization_id),
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class ResponsibilityLetterIssued(ResponsibilityLetterEvent, change="issued"):
    pass


@dataclass(frozen=True, kw_only=True)
class ResponsibilityLetterAcknowledged(ResponsibilityLetterEvent, change="acknowledged"):
    pass


EVENTS: tuple[type[DomainEvent], ...] = (
    LedgerItemCreated,
    LedgerItemProgressed,
    LedgerItemSubmitted,
    LedgerItemSignedOff,
    LedgerItemReturned,
    LedgerItemCancelled,
    LedgerItemDueDateChanged,
    LedgerItemDueSoon,
    LedgerItemOverdue,
    ResponsibilityLetterIssued,
    ResponsibilityLetterAcknowledged,
)
