"""Pure input rules of the ledger; each failure names the input field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from services.core.errors import BadUserInput

T = TypeVar("T")

MAX_ANSWERS = 50  # problems one task answers
MAX_LETTER_ITEMS = 200  # responsibilities on one letter
MAX_EVIDENCE_LINKS = 20


def at_most(items: Iterable[T], limit: int, *, field: str) -> list[T]:
    """``items`` as a list, refused as soon as it holds more than ``limit``."""
    found: list[T] = []
    for item in items:
        if len(found) == limit:
            raise BadUserInput(f"at most {limit} {field}", field=field)
        found.append(item)
    return found


def check_year(year: int, *, field: str = "year") -> None:
    if not 2000 <= year <= 2100:
        raise BadUserInput("year must be between 2000 and 2100", field=field)


def check_due_date(due_date: dt.date, *, year: int, field: str = "dueDate") -> None:
    """A due date lies within the item's year, or the year before or after it."""
    if not year - 1 <= due_date.year <= year + 1:
        raise BadUserInput(f"the due date must lie within {year - 1}–{year + 1}", field=field)


def check_percent(percent: int | None) -> None:
    if percent is not None and not 0 <= percent <= 100:
        raise BadUserInput("percent must be 0–100", field="percent")


def clean_links(links: Iterable[str], *, field: str = "evidenceLinks") -> list[str]:
    """Absolute http(s) links, at most ``MAX_EVIDENCE_LINKS``."""
    cleaned: list[str] = []
    for link in at_most(links, MAX_EVIDENCE_LINKS, field=field):
        value = link.strip()
        if (
            not value.startswith(("http://", "https://"))
            or len(value) > 2000
            or any(c.isspace() for c in value)
        ):
            raise BadUserInput("evidence links must be absolute http or https URLs", field=field)
        cleaned.append(value)
    return cleaned
