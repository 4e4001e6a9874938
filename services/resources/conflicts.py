"""Booking conflicts, counted where they are refused (``alliance_booking_conflicts``)."""

from __future__ import annotations

from services.core.errors import Conflict
from services.core.metrics import BOOKING_CONFLICTS

OVERLAP = "bookings_no_overlap"
STOCK = "bookings_within_stock"


def count_collision(constraint: str) -> None:
    """Count a collision the database refused (a lost race), by constraint name."""
    BOOKING_CONFLICTS.labels(constraint).inc()


def booking_conflict(constraint: str, message: str) -> Conflict:
    """The CONFLICT for a collision seen ahead of the database, counted like its constraint's."""
    count_collision(constraint)
    return Conflict(message)
