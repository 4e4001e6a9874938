"""Small input checks shared by services; each failure names the input field."""

from __future__ import annotations

import re

from services.core.errors import BadUserInput

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")


# Line breaks and tabs, allowed in multi-line text (descriptions, minutes, reasons).
_MULTILINE = frozenset("\n\t")


def clean_text(
    value: str, *, field: str, max_length: int, required: bool = True, multiline: bool = False
) -> str:
    """Strip ``value``; refuse it empty (when required) or over ``max_length`` characters.

    Control characters are refused, except line breaks and tabs in ``multiline`` text (minutes
    and descriptions are written with paragraphs; an Excel cell's Alt-Enter is a line break).
    Windows line ends become ``\n``.
    """
    cleaned = value.strip()
    if multiline:
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    if required and not cleaned:
        raise BadUserInput(f"{field} must not be empty", field=field)
    if len(cleaned) > max_length:
        raise BadUserInput(f"{field} must be at most {max_length} characters", field=field)
    allowed = _MULTILINE if multiline else frozenset()
    if any(ord(ch) < 32 and ch not in allowed for ch in cleaned):
        raise BadUserInput(f"{field} must not contain control characters", field=field)
    return cleaned


def optional_text(value: str | None, *, field: str, max_length: int, multiline: bool = False) -> str | None:
    """Like ``clean_text`` but None or blank means "no value"."""
    if value is None:
        return None
    return clean_text(value, field=field, max_length=max_length, required=False, multiline=multiline) or None


def phone_number(value: str | None, *, field: str) -> str | None:
    """A telephone number: digits, spaces and dashes, optionally a leading +."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if not _PHONE.match(cleaned):
        raise BadUserInput(f"{field} is not a telephone number", field=field)
    return cleaned
