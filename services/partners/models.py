"""Partner access's records and the constraints that refuse bad ones."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from services.core.constraints import Collision, Constraints, Invalid
from services.core.errors import BadUserInput

# Tenant defaults when the tenant never set its own (the table's column defaults).
DEFAULT_REQUESTS_PER_MINUTE = 600
DEFAULT_BURST = 100
DEFAULT_COST_PER_MINUTE = 100_000


@dataclass(frozen=True, slots=True)
class PersistedOperation:
    id: uuid.UUID
    api_key_id: uuid.UUID
    sha256: str
    name: str
    version: int
    document: str
    cost: int
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PartnerSettings:
    """A tenant's partner defaults (合作系统默认限额)."""

    allow_list_only: bool
    requests_per_minute: int
    burst: int
    cost_per_minute: int


@dataclass(frozen=True, slots=True)
class KeyLimits:
    """One key's own limits; None falls back to the tenant's default."""

    api_key_id: uuid.UUID
    requests_per_minute: int | None
    burst: int | None
    cost_per_minute: int | None


def bounded(value: int | None, *, field: str, low: int, high: int) -> int | None:
    """``value`` if within [low, high] (None passes); BAD_USER_INPUT naming ``field`` otherwise.

    Checked here because a GraphQL Int beyond PostgreSQL's integer never reaches a constraint.
    """
    if value is not None and not low <= value <= high:
        raise BadUserInput(f"{field} must be between {low} and {high}", field=field)
    return value


def checked_limits(requests_per_minute: int | None, burst: int | None, cost_per_minute: int | None) -> None:
    """The limits' bounds, as the tables' checks state them."""
    bounded(requests_per_minute, field="requestsPerMinute", low=1, high=1_000_000)
    bounded(burst, field="burst", low=1, high=1_000_000)
    bounded(cost_per_minute, field="costPerMinute", low=1, high=1_000_000_000)


CONSTRAINTS = Constraints(
    {
        "persisted_operations_key_hash": Collision("this key already has an operation with that text"),
        "persisted_operations_key_name_version": Collision("this key already has that name and version"),
        "persisted_operations_name_check": Invalid("name", "a name has 1 to 100 characters"),
        "persisted_operations_version_check": Invalid("version", "a version is 1 or more"),
        **{
            f"{table}_{column}_check": Invalid(field, f"{field} is out of range")
            for table in ("partner_settings", "partner_key_limits")
            for column, field in (
                ("requests_per_minute", "requestsPerMinute"),
                ("burst", "burst"),
                ("cost_per_minute", "costPerMinute"),
            )
        },
    }
)
