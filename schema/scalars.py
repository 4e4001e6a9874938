"""What scalar input may hold (标量输入规则), for every argument and input field at once.

- Text (``String``, ``ID`` and the strings inside ``JSON``): no NUL and no lone surrogate
  (PostgreSQL's text cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8, in the
  database or in the JSON answer), at most ``MAX_TEXT`` characters. Services still apply their
  own, shorter limits per field.
- ``DateTime`` and ``Date``: ISO 8601, in the years ``MIN_YEAR``–``MAX_YEAR``, UTC offsets
  within ±18 hours (PostgreSQL's limit), so that no date arithmetic in Python or PostgreSQL can
  overflow (Python's ``datetime`` ends in year 9999).

``schema.input_checks`` applies these rules to literals and to variable values before any
resolver runs; the ``DateTime`` and ``Date`` scalars below apply them again when coercing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition, DecimalDefinition
from strawberry.types.scalar import ScalarDefinition

MAX_TEXT = 10_000
MIN_YEAR = 1900
MAX_YEAR = 2200
MAX_OFFSET = dt.timedelta(hours=18)
_MAX_DATE_TEXT = 64  # far longer than any ISO 8601 date and time with an offset

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class InvalidInput(GraphQLError):
    """A scalar value breaks one of the rules; ``field`` is named where the value is known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
        if field:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)


def text_problem(value: str) -> str | None:
    """Why ``value`` may not be used as text, or None when it may."""
    if len(value) > MAX_TEXT:
        return f"text must be at most {MAX_TEXT} characters"
    if _BAD_TEXT.search(value):
        return "text must not contain NUL characters or unpaired surrogates"
    return None


InputPath = tuple[str | int, ...]


def strings_in(value: object, path: InputPath = ()) -> Iterator[tuple[InputPath, str]]:
    """Every string in a JSON-like value (keys included), with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield (*path, key), key
            yield from strings_in(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, (*path, index))


def _in_range(year: int, offset: dt.timedelta | None, kind: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"a {kind} must lie in the years {MIN_YEAR}–{MAX_YEAR}")
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise InvalidInput(f"a {kind}'s UTC offset must be within ±{MAX_OFFSET.seconds // 3600} hours")


def parse_datetime(value: object) -> dt.datetime:
    """An ISO 8601 date and time within the supported range."""
    if not isinstance(value, str) or len(value) > _MAX_DATE_TEXT:
        raise InvalidInput("a DateTime is an ISO 8601 string, e.g. 2030-01-01T10:00:00+08:00")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("a DateTime is an ISO 8601 string, e.g. 2030-01-01T10:00:00+08:00") from None
    _in_range(parsed.year, parsed.utcoffset(), "DateTime")
    return parsed


def parse_date(value: object) -> dt.date:
    """An ISO 8601 calendar date within the supported range."""
    if not isinstance(value, str) or len(value) > _MAX_DATE_TEXT:
        raise InvalidInput("a Date is an ISO 8601 string, e.g. 2030-01-01")
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("a Date is an ISO 8601 string, e.g. 2030-01-01") from None
    _in_range(parsed.year, None, "Date")
    return parsed


# Same names, descriptions and output as Strawberry's own, so the exported SDL is unchanged.
DATETIME = ScalarDefinition(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    specified_by_url=None,
    serialize=DateTimeDefinition.serialize,
    parse_value=parse_datetime,
    parse_literal=None,
    origin=dt.datetime,
)
DATE = ScalarDefinition(
    name=DateDefinition.name,
    description=DateDefinition.description,
    specified_by_url=None,
    serialize=DateDefinition.serialize,
    parse_value=parse_date,
    parse_literal=None,
    origin=dt.date,
)


def serialize_decimal(value: decimal.Decimal) -> str:
    """Plain notation, as the amount was entered: asyncpg reads a numeric 10000 as
    ``Decimal('1E+4')``, whose ``str`` (Strawberry's output) is "1E+4"."""
    return format(value, "f")


DECIMAL = ScalarDefinition(
    name=DecimalDefinition.name,
    description=DecimalDefinition.description,
    specified_by_url=None,
    serialize=serialize_decimal,
    parse_value=DecimalDefinition.parse_value,
    parse_literal=DecimalDefinition.parse_literal,
    origin=decimal.Decimal,
)
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    dt.datetime: DATETIME,
    dt.date: DATE,
    decimal.Decimal: DECIMAL,
}
