"""Keyset paging: one helper for every list's cursors, page size and connection."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass

import pytest

from schema.pagination import Keyset, int_key, uuid_key
from services.core.errors import BadUserInput
from tests.conftest import GraphQLClient

ACTIVITY = Keyset("activity", int_key)
ORGANIZATIONS = Keyset("organization", uuid_key)


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# Not cursors of the list: garbage, another list's, a key of the wrong shape, and keys
# whose digits str.isdigit() accepts but int() refuses ("²", "١٢") or that overflow bigint.
NOT_CURSORS = [
    "not base64!",
    "YWN0aXZpdHk6wrI=",  # "activity:²"
    _cursor("activity:١٢"),
    _cursor("activity:99999999999999999999999"),
    _cursor(f"activity:{2**63}"),  # 19 digits, one past the largest bigint
    _cursor("activity:-1"),
    _cursor("activity:"),
    _cursor("organization:12"),
    _cursor(f"booking:{uuid.uuid4()}"),
    _cursor("organization:not-a-uuid"),
    base64.urlsafe_b64encode(b"\xff\xfe:1").decode(),
]


@pytest.mark.parametrize("cursor", NOT_CURSORS)
def test_anything_but_a_cursor_of_the_list_is_bad_user_input_on_after(cursor: str) -> None:
    for keyset in (ACTIVITY, ORGANIZATIONS):
        with pytest.raises(BadUserInput) as raised:
            keyset.key(cursor)
        assert raised.value.field == "after"


def test_a_cursor_reads_back_its_key() -> None:
    org = uuid.uuid4()
    assert ORGANIZATIONS.key(ORGANIZATIONS.cursor(org)) == org
    assert ACTIVITY.key(ACTIVITY.cursor(42)) == 42
    assert ACTIVITY.key(ACTIVITY.cursor(2**63 - 1)) == 2**63 - 1
    assert ACTIVITY.key(None) is None


@dataclass(frozen=True)
class _Row:
    id: int


@dataclass(frozen=True)
class _Page:
    items: list[_Row]
    total: int | None
    has_next: bool


def test_a_connection_carries_cursors_page_info_and_count() -> None:
    built = ACTIVITY.connection(_Page([_Row(3), _Row(2)], total=7, has_next=True), lambda row: row.id * 10)
    assert [edge.node for edge in built.edges] == [30, 20]
    assert [ACTIVITY.key(edge.cursor) for edge in built.edges] == [3, 2]
    assert built.page_info.has_next_page and built.page_info.end_cursor == built.edges[-1].cursor
    assert built.total_count == 7
    empty = ACTIVITY.connection(_Page([], total=None, has_next=False), lambda row: row.id)
    assert empty.page_info.end_cursor is None and empty.total_count == 0


LISTS = {  # field: its cursors' kind
    "organizations": "organization",
    "auditLog": "audit",
    "activity": "activity",
    "resources": "resource",
    "bookings": "booking",
}


@pytest.mark.parametrize("field", sorted(LISTS))
@pytest.mark.parametrize("key", ["²", "99999999999999999999999", None])
async def test_every_list_refuses_a_bad_cursor_over_http(
    gql: GraphQLClient, field: str, key: str | None
) -> None:
    cursor = "%%%" if key is None else _cursor(f"{LISTS[field]}:{key}")
    query = (
        f"query($after: String) {{ {field}(first: 2, after: $after) {{ totalCount edges {{ cursor }} }} }}"
    )
    body = await gql(query, {"after": cursor}, login="alliance-admin")
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    assert body["data"] is None


async def test_organizations_page_through_with_the_cursor(gql: GraphQLClient) -> None:
    query = "query($after: String) { organizations(first: 2, after: $after) { %s } }"
    shape = "totalCount pageInfo { hasNextPage endCursor } edges { node { id } }"
    seen: list[str] = []
    after: str | None = None
    while True:
        body = await gql(query % shape, {"after": after}, login="alliance-admin")
        page = body["data"]["organizations"]  # type: ignore[index]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] > 2
