"""Relay-style connections: ``first``/``after``, ``pageInfo``, ``totalCount``.

Every list pages by keyset (the rows after the last one seen, by id), through one
``Keyset`` per list: it checks ``first``, reads ``after`` back (BAD_USER_INPUT naming
"after" for anything that is not one of its cursors), tells the service whether
``totalCount`` is asked for, and builds the connection::

    ORGANIZATIONS = Keyset("organization", uuid_key)

    args = ORGANIZATIONS.args(info, first, after)
    page = await organizations.list_organizations(conn, first=args.first, after=args.after, …)
    return ORGANIZATIONS.connection(page, Organization.from_model)
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import strawberry

from schema.context import Info
from schema.selection import selects
from services.core.errors import BadUserInput
from services.core.settings import Settings

T = TypeVar("T")
K = TypeVar("K")
R = TypeVar("R", bound="Keyed")
R_co = TypeVar("R_co", covariant=True)


class Keyed(Protocol):
    """A service model a list is paged by: its ``id`` is the key of the keyset."""

    @property
    def id(self) -> Any: ...


class PageOf(Protocol[R_co]):
    """One page as the services return it (``total`` None when not counted)."""

    @property
    def items(self) -> Sequence[R_co]: ...

    @property
    def total(self) -> int | None: ...

    @property
    def has_next(self) -> bool: ...


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


def uuid_key(text: str) -> uuid.UUID:
    """A UUID key read back from a cursor (ValueError if it is not one)."""
    return uuid.UUID(text)


# Integer keys are PostgreSQL bigints (bigserial ids): a larger one is no row of any list.
_MAX_BIGINT = 2**63 - 1


def int_key(text: str) -> int:
    """A non-negative bigint key read back from a cursor (ValueError if it is not one).

    ASCII digits only: ``str.isdigit`` also holds for "²" and other digits ``int`` refuses.
    Bounded as a bigint, or the database would refuse it as a parameter.
    """
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > _MAX_BIGINT:
        raise ValueError(text)
    return int(text)


@dataclass(frozen=True, slots=True)
class PageArgs(Generic[K]):
    """One page asked of a list: its size, the key after which it starts, and whether the
    query asks for ``totalCount`` (a service may then skip counting)."""

    first: int
    after: K | None
    count: bool


@dataclass(frozen=True, slots=True)
class Keyset(Generic[K]):
    """One list's keyset paging: its cursors carry ``kind`` and the key of the last row
    (its id), read back by ``parse``. Lists keep one module-level ``Keyset`` each."""

    kind: str
    parse: Callable[[str], K]

    def cursor(self, key: K) -> str:
        return base64.urlsafe_b64encode(f"{self.kind}:{key}".encode()).decode()

    def key(self, cursor: str | None) -> K | None:
        """The key inside a cursor of this list; BAD_USER_INPUT (field "after") if it is not one."""
        if cursor is None:
            return None
        try:
            prefix, _, text = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
            if prefix != self.kind or not text:
                raise ValueError(prefix)
            return self.parse(text)
        except (binascii.Error, UnicodeError, ValueError):
            raise BadUserInput("after is not a cursor of this list", field="after") from None

    def args(self, info: Info, first: int | None, after: str | None) -> PageArgs[K]:
        """``first`` and ``after`` checked, and whether ``totalCount`` is selected."""
        return PageArgs(
            first=page_size(first, info.context.settings),
            after=self.key(after),
            count=selects(info, "totalCount"),
        )

    def connection(self, page: PageOf[R], to_node: Callable[[R], T]) -> Connection[T]:
        """A connection of one page of service models; ``totalCount`` 0 when not counted."""
        edges = [Edge(node=to_node(item), cursor=self.cursor(item.id)) for item in page.items]
        return Connection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None),
            total_count=page.total or 0,
        )


def parse_id(value: strawberry.ID | str, field: str = "id") -> uuid.UUID:
    """A UUID from an ID argument; BAD_USER_INPUT naming ``field`` if malformed."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadUserInput(f"{field} is not a valid id", field=field) from None
