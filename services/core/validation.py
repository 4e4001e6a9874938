"""Small input checks shared by services; each failure names the input field."""

from __future__ import annotations

import re

from services.core.errors import BadUserInput

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")


def clean_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    """Strip ``value``; refuse it empty (when required) or over ``max_length`` characters."""
    cleaned = value.strip()
    if required and not cleaned:
        raise BadUserInput(f"{field} must not be empty", field=field)
    if len(cleaned) > max_length:
        raise BadUserInput(f"{field} must be at most {max_length} characters", field=field)
    if any(ord(ch) < 32 for ch in cleaned):
        raise BadUserInput(f"{field} must not contain control characters", field=field)
    return cleaned


def optional_text(value: str | None, *, field: str, max_length: int) -> str | None:
    """Like ``clean_text`` but None or blank means "no value"."""
    if value is None:
        return None
    return clean_text(value, field=field, max_length=max_length, required=False) or None


def phone_number(value: str | None, *, field: str) -> str | None:
    """A telephone number: digits, spaces and dashes, optionally a leading +."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if not _PHONE.match(cleaned):
        raise BadUserInput(f"{field} is not a telephone number", field=field)
    return cleaned
