"""Relay-style connections: ``first``/``after``, ``pageInfo``, ``totalCount``."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from services.core.errors import BadUserInput
from services.core.settings import Settings

T = TypeVar("T")
M = TypeVar("M")


@strawberry.type(description="Where a page sits in a list (分页信息).")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Rows matching the filter (总数).")


def page_size(first: int | None, settings: Settings, default: int = 20) -> int:
    """``first`` checked against the maximum page size."""
    size = default if first is None else first
    limit = settings.limits.max_page_size
    if not 1 <= size <= limit:
        raise BadUserInput(f"first must be between 1 and {limit}", field="first")
    return size


def encode_cursor(kind: str, key: object) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def decode_cursor(cursor: str | None, kind: str) -> str | None:
    """The key inside a cursor made by ``encode_cursor``; BAD_USER_INPUT if it is not one."""
    if cursor is None:
        return None
    try:
        prefix, _, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        prefix, key = "", ""
    if prefix != kind or not key:
        raise BadUserInput("after is not a cursor of this list", field="after")
    return key


def decode_uuid_cursor(cursor: str | None, kind: str) -> uuid.UUID | None:
    key = decode_cursor(cursor, kind)
    if key is None:
        return None
    try:
        return uuid.UUID(key)
    except ValueError:
        raise BadUserInput("after is not a cursor of this list", field="after") from None


_MAX_BIGINT = 2**63 - 1


def decode_int_cursor(cursor: str | None, kind: str) -> int | None:
    """The row number inside a cursor of a list ordered by a bigint key.

    ASCII digits only: ``str.isdigit`` also accepts "²" and other digits ``int`` refuses.
    """
    key = decode_cursor(cursor, kind)
    if key is None:
        return None
    if not (key.isascii() and key.isdigit()) or int(key) > _MAX_BIGINT:
        raise BadUserInput("after is not a cursor of this list", field="after")
    return int(key)


def parse_id(value: strawberry.ID | str, field: str = "id") -> uuid.UUID:
    """A UUID from an ID argument; BAD_USER_INPUT naming ``field`` if malformed."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadUserInput(f"{field} is not a valid id", field=field) from None


def connection(
    items: list[M],
    *,
    total: int,
    has_next: bool,
    to_node: Callable[[M], T],
    cursor_of: Callable[[M], str],
) -> Connection[T]:
    """Build a connection from one page of service models."""
    edges = [Edge(node=to_node(item), cursor=cursor_of(item)) for item in items]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )
