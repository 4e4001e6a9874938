"""Typed events: names checked when a class is made, handlers registered by class."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from services.domain import Platform
from services.events.catalog import EventCatalog
from services.events.changes import SystemActor, record_change
from services.events.envelope import Envelope
from services.events.registry import Registry
from services.events.types import DomainEvent, EventTypeError
from tests.kit.samples import sample

PLATFORM = Platform.default()
SERVICES = Path(__file__).resolve().parents[2] / "services"


def test_malformed_names_fail_when_the_class_is_made() -> None:
    with pytest.raises(EventTypeError):

        @dataclass(frozen=True, kw_only=True)
        class Bad(DomainEvent, aggregate="Booking"):  # not a valid aggregate name
            pass

    @dataclass(frozen=True, kw_only=True)
    class Thing(DomainEvent, aggregate="thing"):
        id: str

    with pytest.raises(EventTypeError):

        @dataclass(frozen=True, kw_only=True)
        class Happened(Thing, change="Happened!"):
            pass

    @dataclass(frozen=True, kw_only=True)
    class Noticed(Thing, change="noticed", version=2):
        pass

    assert (Noticed.type_name, Noticed.audit_action()) == ("thing.noticed.v2", "thing.noticed")


def test_registering_a_class_no_domain_declares_fails() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Stray(DomainEvent, aggregate="stray", change="wandered"):
        id: str

    async def handler(conn: asyncpg.Connection, event: Stray, envelope: Envelope) -> None:
        return None

    with pytest.raises(LookupError):
        PLATFORM.registry().handle(service="x", event=Stray, handler=handler)
    with pytest.raises(TypeError):
        EventCatalog([Stray, Stray])


@pytest.mark.parametrize("cls", PLATFORM.catalog.classes, ids=lambda c: c.type_name)
def test_every_type_survives_its_envelope(cls: type[DomainEvent]) -> None:
    event = sample(cls, actor="someone")
    envelope = Envelope.new(
        source=cls.source,
        type=cls.type_name,
        tenant="00000000-0000-0000-0000-000000000001",
        aggregate_type=cls.aggregate,
        subject=event.subject,
        data=event.data(),
    )
    assert PLATFORM.catalog.decode(envelope) == event


def test_topics_and_handlers_follow_the_classes() -> None:
    registry = PLATFORM.registry()
    # The activity feed takes every declared type, so it reads every declared topic.
    assert registry.topics("activity") == PLATFORM.catalog.topics()
    assert "alliance.booking.v1" in PLATFORM.catalog.topics()
    assert isinstance(registry, Registry)


@pytest.mark.parametrize("cls", PLATFORM.catalog.classes, ids=lambda c: c.type_name)
async def test_every_change_is_audited_and_announced(
    cls: type[DomainEvent], conn: asyncpg.Connection, demo: dict[str, object]
) -> None:
    """``record_change`` writes both rows, named from the one class, for every type."""
    tenant_id = demo["demo"]
    event = sample(cls)
    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
    envelope = await record_change(
        conn,
        SystemActor(tenant_id=tenant_id),
        event,
        after={"x": 1},  # type: ignore[arg-type]
    )
    outbox = await conn.fetchrow("SELECT event_type, topic FROM outbox WHERE id = $1", envelope.id)
    audit = await conn.fetchrow(
        "SELECT action, entity_type, actor_login FROM audit_log ORDER BY id DESC LIMIT 1"
    )
    assert outbox is not None and audit is not None
    assert (outbox["event_type"], outbox["topic"]) == (cls.type_name, f"alliance.{cls.aggregate}.v1")
    assert audit["action"] == cls.type_name.rsplit(".", 1)[0]
    assert audit["entity_type"] == (cls.audit_entity or cls.aggregate)
    assert audit["actor_login"] == envelope.data["actor"] == "alliance-cli"


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }


def test_domains_write_audit_and_events_only_through_record_change() -> None:
    """No write tail by hand: outside the unit of work nobody writes an audit or outbox row."""
    allowed = {
        SERVICES / "events" / "changes.py",
        SERVICES / "core" / "audit.py",
        SERVICES / "events" / "outbox.py",
    }
    offenders = [
        str(path.relative_to(SERVICES))
        for path in SERVICES.rglob("*.py")
        if path not in allowed and _calls(path) & {"record_event", "write_audit_row", "record_audit"}
    ]
    assert offenders == []
