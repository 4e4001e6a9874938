"""The event envelope: CloudEvents-style JSON, one per Kafka message."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

# Past tense and versioned: ``organization.created.v1``, ``booking.approved.v2``.
EVENT_TYPE = re.compile(r"^[a-z_]+(\.[a-z_]+)+\.v[0-9]+$")
# One Kafka topic per aggregate type, so the name goes into a topic name.
AGGREGATE_TYPE = re.compile(r"^[a-z][a-z_]*$")

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
_REQUIRED = ("id", "source", "type", "subject", "time", "tenant", "aggregatetype", "data")


class EnvelopeError(ValueError):
    """A message or an event does not make a valid envelope."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One event: who (tenant, source), what (type, data), about what (subject), when (time).

    ``data`` is plain JSON (what a consumer decodes), so treat it as read-only.
    """

    id: uuid.UUID
    source: str
    type: str
    subject: str
    time: datetime
    tenant: str
    aggregate_type: str
    data: dict[str, Any]
    # The W3C trace context of the change that made the event (CloudEvents' distributed
    # tracing extension): the relay and the consumers continue that trace from it.
    traceparent: str | None = None

    def __post_init__(self) -> None:
        if not EVENT_TYPE.match(self.type):
            raise EnvelopeError(
                f"event type {self.type!r} must be past tense and versioned, like 'organization.created.v1'"
            )
        if not AGGREGATE_TYPE.match(self.aggregate_type):
            raise EnvelopeError(f"aggregate type {self.aggregate_type!r} must match [a-z][a-z_]*")
        if not self.source or not self.subject:
            raise EnvelopeError("source and subject must not be empty")
        if not isinstance(self.data, dict):
            raise EnvelopeError("data must be a JSON object")
        if self.time.tzinfo is None:
            raise EnvelopeError("time must carry a time zone")
        try:
            tenant = str(uuid.UUID(self.tenant))
        except ValueError:
            raise EnvelopeError(f"tenant {self.tenant!r} is not a UUID") from None
        # Canonical spellings, so that equality and the live stream's tenant filter hold.
        object.__setattr__(self, "tenant", tenant)
        object.__setattr__(self, "time", self.time.astimezone(UTC))

    def __hash__(self) -> int:
        # An event is its id; equal envelopes share it, so this agrees with ``==``.
        return hash(self.id)

    @classmethod
    def new(
        cls,
        *,
        source: str,
        type: str,
        tenant: uuid.UUID | str,
        aggregate_type: str,
        subject: uuid.UUID | str | int,
        data: Mapping[str, Any],
        traceparent: str | None = None,
    ) -> Envelope:
        """A fresh event happening now; ``data`` is normalised to plain JSON values."""
        try:
            plain = orjson.loads(orjson.dumps(data))
        except TypeError as exc:
            raise EnvelopeError(f"data is not JSON serialisable: {exc}") from None
        return cls(
            id=uuid.uuid4(),
            source=source,
            type=type,
            subject=str(subject),
            time=datetime.now(UTC),
            tenant=str(tenant),
            aggregate_type=aggregate_type,
            data=plain,
            traceparent=traceparent,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object sent to Kafka (CloudEvents structured mode)."""
        obj = {
            "specversion": SPEC_VERSION,
            "id": str(self.id),
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "tenant": self.tenant,
            # CloudEvents extension names are lowercase letters and digits only.
            "aggregatetype": self.aggregate_type,
            "datacontenttype": "application/json",
            "data": self.data,
        }
        if self.traceparent:
            obj["traceparent"] = self.traceparent
        return obj

    def to_json(self) -> bytes:
        """The envelope as UTF-8 JSON bytes."""
        return orjson.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Envelope:
        """Rebuild an envelope from its JSON object; raise ``EnvelopeError`` if it is not one."""
        missing = [key for key in _REQUIRED if key not in obj]
        if missing:
            raise EnvelopeError(f"envelope lacks {', '.join(missing)}")
        try:
            return cls(
                id=uuid.UUID(str(obj["id"])),
                source=str(obj["source"]),
                type=str(obj["type"]),
                subject=str(obj["subject"]),
                time=datetime.fromisoformat(str(obj["time"])),
                tenant=str(obj["tenant"]),
                aggregate_type=str(obj["aggregatetype"]),
                data=obj["data"],
                traceparent=_optional_text(obj.get("traceparent")),
            )
        except EnvelopeError:
            raise
        except ValueError as exc:
            raise EnvelopeError(f"invalid envelope: {exc}") from None

    @classmethod
    def from_json(cls, raw: bytes | str | None) -> Envelope:
        """Decode a Kafka message value; raise ``EnvelopeError`` if it is not an envelope."""
        if raw is None:
            raise EnvelopeError("empty message")
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise EnvelopeError(f"not JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise EnvelopeError("an envelope is a JSON object")
        return cls.from_dict(obj)


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
