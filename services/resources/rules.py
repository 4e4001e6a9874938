"""Pure input rules of resources and bookings; each failure names the input field."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import TypeVar
from urllib.parse import urlsplit

from services.core.errors import BadUserInput
from services.resources.models import OpeningWindow

T = TypeVar("T")

MAX_BOOKING_WINDOW = dt.timedelta(days=31)
MAX_FIGURES_PERIOD = dt.timedelta(days=366)
MAX_TAGS = 20
MAX_PHOTOS = 20
MAX_WINDOWS = 50
MAX_BLACKOUT_DATES = 400

_HH_MM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _at_most(items: Iterable[T], limit: int, *, field: str, what: str) -> Iterator[T]:
    """``items`` one by one, refusing the list as soon as it holds more than ``limit``."""
    for count, item in enumerate(items, start=1):
        if count > limit:
            raise BadUserInput(f"at most {limit} {what}", field=field)
        yield item


def clean_tags(tags: Iterable[str], *, field: str = "tags") -> list[str]:
    """Stripped, non-empty, at most 30 characters each, duplicates dropped (first kept).

    Linear, and a list of more than ``MAX_TAGS`` tags (before dropping duplicates) is refused
    before the rest of it is read.
    """
    cleaned: dict[str, None] = {}  # ordered, with constant-time membership
    for tag in _at_most(tags, MAX_TAGS, field=field, what="tags"):
        value = tag.strip()
        if not value or len(value) > 30 or any(ord(ch) < 32 for ch in value):
            raise BadUserInput("each tag must be 1–30 printable characters", field=field)
        cleaned.setdefault(value)
    return list(cleaned)


def clean_photo_urls(urls: Iterable[str], *, field: str = "photoUrls") -> list[str]:
    """Absolute http(s) URLs only (no javascript:, data: or relative links)."""
    cleaned: list[str] = []
    for url in _at_most(urls, MAX_PHOTOS, field=field, what="photos"):
        value = url.strip()
        parts = urlsplit(value)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.netloc
            or len(value) > 2000
            or any(ch.isspace() for ch in value)
        ):
            raise BadUserInput("photo URLs must be absolute http or https URLs", field=field)
        cleaned.append(value)
    return cleaned


def _minutes(value: str) -> int:
    return int(value[:2]) * 60 + int(value[3:])


def clean_opening_hours(
    windows: Iterable[OpeningWindow], *, field: str = "openingHours"
) -> list[OpeningWindow]:
    """Weekly windows sorted by weekday and start; none may overlap another on its day."""
    cleaned: list[OpeningWindow] = []
    for window in _at_most(windows, MAX_WINDOWS, field=field, what="opening windows"):
        start, end = window.start.strip(), window.end.strip()
        if not 1 <= window.weekday <= 7:
            raise BadUserInput("weekday must be 1 (Monday) to 7 (Sunday)", field=field)
        if not _HH_MM.match(start) or not (_HH_MM.match(end) or end == "24:00"):
            raise BadUserInput('opening hours are "HH:MM" (end may be "24:00")', field=field)
        if _minutes(start) >= _minutes(end):
            raise BadUserInput("an opening window must end after it starts", field=field)
        cleaned.append(OpeningWindow(weekday=window.weekday, start=start, end=end))
    cleaned.sort(key=lambda w: (w.weekday, w.start))
    for before, after in itertools.pairwise(cleaned):
        if before.weekday == after.weekday and _minutes(after.start) < _minutes(before.end):
            raise BadUserInput("opening windows of one day must not overlap", field=field)
    return cleaned


def clean_blackout_dates(dates: Iterable[dt.date], *, field: str = "blackoutDates") -> list[dt.date]:
    given = _at_most(dates, MAX_BLACKOUT_DATES, field=field, what="blackout dates")
    return sorted(set(given))


def positive(value: int | None, *, field: str) -> int | None:
    """None, or an integer of at least 1."""
    if value is not None and value < 1:
        raise BadUserInput(f"{field} must be at least 1", field=field)
    return value


def check_window(start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> None:
    """A booking window: with offsets, not in the past, end after start, at most 31 days."""
    if start.tzinfo is None:
        raise BadUserInput("start needs a UTC offset (ISO-8601, e.g. +08:00)", field="start")
    if end.tzinfo is None:
        raise BadUserInput("end needs a UTC offset (ISO-8601, e.g. +08:00)", field="end")
    if end <= start:
        raise BadUserInput("end must be after start", field="end")
    if start < now:
        raise BadUserInput("start must not be in the past", field="start")
    if end - start > MAX_BOOKING_WINDOW:
        raise BadUserInput(f"a booking lasts at most {MAX_BOOKING_WINDOW.days} days", field="end")


def check_period(
    start: dt.datetime, end: dt.datetime, *, from_field: str = "from", to_field: str = "to"
) -> None:
    """A reporting period: with offsets, ``to`` after ``from``, at most 366 days."""
    if start.tzinfo is None:
        raise BadUserInput(f"{from_field} needs a UTC offset", field=from_field)
    if end.tzinfo is None:
        raise BadUserInput(f"{to_field} needs a UTC offset", field=to_field)
    if end <= start:
        raise BadUserInput(f"{to_field} must be after {from_field}", field=to_field)
    if end - start > MAX_FIGURES_PERIOD:
        raise BadUserInput(f"a period spans at most {MAX_FIGURES_PERIOD.days} days", field=to_field)
