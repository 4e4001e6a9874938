"""One unit of work for every change: its audit row and its event, in the caller's transaction.

Every write of every domain ends with ``record_change``. The audit action and the event type
come from the one event class (``booking.approved`` / ``booking.approved.v1``), the actor is
added here only, and both rows commit or vanish with the change.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg

from services.core.audit import changed_fields, write_audit_row
from services.events.envelope import Envelope
from services.events.outbox import record_event
from services.events.types import DomainEvent


class Actor(Protocol):
    """Who makes a change: a request's principal, or an operator's command (``SystemActor``)."""

    @property
    def tenant_id(self) -> uuid.UUID: ...

    @property
    def account_id(self) -> uuid.UUID | None: ...

    @property
    def login(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SystemActor:
    """A change made by the platform's operators (the command line), not by an account."""

    tenant_id: uuid.UUID
    login: str = "alliance-cli"
    account_id: uuid.UUID | None = None


async def record_change(
    conn: asyncpg.Connection,
    actor: Actor,
    event: DomainEvent,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    entity_id: str | None = None,
) -> Envelope:
    """Audit ``before``→``after`` and record ``event``, both in the caller's transaction.

    ``entity_id`` names the audited row when it is not the event's subject (a menu item of
    a resource); the audit's entity type is the class's ``audit_entity`` or its aggregate.
    """
    if not event.is_concrete():
        raise TypeError(f"{type(event).__name__} is an abstract event class")
    event = dataclasses.replace(event, actor=actor.login)
    await write_audit_row(
        conn,
        tenant_id=actor.tenant_id,
        actor_id=actor.account_id,
        actor_login=actor.login,
        action=event.audit_action(),
        entity_type=event.audit_entity or event.aggregate,
        entity_id=entity_id or event.subject,
        changes=changed_fields(before, after),
    )
    return await record_event(
        conn,
        tenant_id=actor.tenant_id,
        aggregate_type=event.aggregate,
        aggregate_id=event.subject,
        event_type=event.type_name,
        data=event.data(),
        source=event.source,
    )
