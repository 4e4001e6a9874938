"""The envelope: CloudEvents-style JSON that survives the round trip and rejects bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest

from services.events.envelope import Envelope, EnvelopeError


def _envelope(**changes: object) -> Envelope:
    fields: dict[str, object] = {
        "source": "alliance/directory",
        "type": "organization.created.v1",
        "tenant": uuid.uuid4(),
        "aggregate_type": "organization",
        "subject": uuid.uuid4(),
        "data": {"name": "东湖街道党工委", "at": datetime(2026, 1, 1, tzinfo=UTC)},
    }
    fields.update(changes)
    return Envelope.new(**fields)  # type: ignore[arg-type]


def test_round_trip_keeps_every_field() -> None:
    envelope = _envelope()
    assert Envelope.from_json(envelope.to_json()) == envelope


def test_message_carries_the_cloudevents_fields() -> None:
    envelope = _envelope()
    message = orjson.loads(envelope.to_json())
    assert {"id", "source", "type", "subject", "time", "tenant", "data"} <= message.keys()
    assert message["specversion"] == "1.0"
    assert message["time"].endswith("Z")
    # data is plain JSON: a datetime became its ISO text.
    assert message["data"] == {"name": "东湖街道党工委", "at": "2026-01-01T00:00:00+00:00"}
    assert envelope.data == message["data"]


def test_time_is_kept_in_utc() -> None:
    envelope = Envelope(
        id=uuid.uuid4(),
        source="s",
        type="a.b.v1",
        subject="1",
        time=datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8))),
        tenant=str(uuid.uuid4()),
        aggregate_type="a",
        data={},
    )
    assert envelope.time == datetime(2026, 1, 1, 0, tzinfo=UTC)
    assert envelope.time.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "event_type",
    [
        "organization.created",
        "created.v1",
        "Organization.created.v1",
        "organization.created.1",
        "org-x.created.v1",
    ],
)
def test_event_type_must_be_dotted_and_versioned(event_type: str) -> None:
    with pytest.raises(EnvelopeError, match="past tense and versioned"):
        _envelope(type=event_type)


def test_tenant_must_be_a_uuid() -> None:
    with pytest.raises(EnvelopeError, match="not a UUID"):
        _envelope(tenant="district-1")


def test_data_must_be_json() -> None:
    with pytest.raises(EnvelopeError, match="JSON"):
        _envelope(data={"x": object()})


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'{"id": "x"}', None],
)
def test_garbage_is_not_an_envelope(raw: bytes | None) -> None:
    with pytest.raises(EnvelopeError):
        Envelope.from_json(raw)


def test_invalid_field_values_are_envelope_errors() -> None:
    message = orjson.loads(_envelope().to_json())
    message["time"] = "yesterday"
    with pytest.raises(EnvelopeError):
        Envelope.from_dict(message)
