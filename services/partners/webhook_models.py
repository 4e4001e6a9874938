"""Webhook records (事件推送)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from services.core.constraints import Constraints, Invalid


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: uuid.UUID
    api_key_id: uuid.UUID
    url: str
    event_types: list[str]
    mode: str
    enabled: bool
    consecutive_failures: int
    disabled_at: dt.datetime | None
    previous_secret_until: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class IssuedEndpoint:
    """An endpoint with its secret as shown once (``whsec_…``)."""

    endpoint: WebhookEndpoint
    secret: str


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_response_code: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One line of the delivery log."""

    id: uuid.UUID
    delivery_id: uuid.UUID
    attempt: int
    request: dict[str, Any]
    response_code: int | None
    duration_ms: float
    error: str | None
    created_at: dt.datetime


ENDPOINT_COLUMNS = (
    "id, api_key_id, url, event_types, mode, enabled, consecutive_failures, disabled_at,"
    " previous_secret_until, created_at"
)
DELIVERY_COLUMNS = (
    "id, endpoint_id, event_id, event_type, envelope->>'subject' AS subject, status, attempts,"
    " next_attempt_at,"
    " last_response_code, created_at, finished_at"
)
ATTEMPT_COLUMNS = "id, delivery_id, attempt, request, response_code, duration_ms, error, created_at"

CONSTRAINTS = Constraints(
    {
        "webhook_endpoints_url_check": Invalid("url", "a webhook URL has 1 to 2000 characters"),
        "webhook_endpoints_event_types_check": Invalid("eventTypes", "1 to 50 event type patterns"),
        "webhook_endpoints_mode_check": Invalid("mode", "STRUCTURED or BINARY"),
    }
)
