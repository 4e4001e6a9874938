"""auditEntry(id) and node(id) on the audit trail (痕迹): one row, as auditLog shows it."""

from __future__ import annotations

import uuid

import pytest

from services.core.identify import KeyedTable, TableLookup, parse_key
from tests.conftest import GraphQLClient, error_code

FIELDS = "id actorLogin action entityType entityId changes requestId createdAt"
LOG = f"{{ auditLog(first: 5) {{ edges {{ node {{ {FIELDS} }} }} }} }}"
ENTRY = f"query($id: ID!) {{ auditEntry(id: $id) {{ {FIELDS} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on AuditEntry {{ {FIELDS} }} }} }}"


async def _newest(gql: GraphQLClient, tenant: str = "demo") -> list[dict[str, object]]:
    await gql(
        'mutation { createOrganization(input: {name: "痕迹", kind: AGENCY}) { organization { id } } }',
        login="alliance-admin",
        tenant=tenant,
    )
    body = await gql(LOG, login="auditor" if tenant == "demo" else "alliance-admin", tenant=tenant)
    return [edge["node"] for edge in body["data"]["auditLog"]["edges"]]  # type: ignore[index]


async def test_an_entry_answers_as_the_log_lists_it(gql: GraphQLClient) -> None:
    for listed in await _newest(gql):
        variables = {"id": listed["id"]}
        assert (await gql(ENTRY, variables, login="auditor"))["data"]["auditEntry"] == listed
        assert (await gql(NODE, variables, login="auditor"))["data"]["node"] == {
            "__typename": "AuditEntry",
            **listed,
        }
        # A member may not read the trail: FORBIDDEN by the root field, NOT_FOUND by node.
        assert error_code(await gql(ENTRY, variables, login="member")) == "FORBIDDEN"
        assert error_code(await gql(NODE, variables, login="member")) == "NOT_FOUND"


async def test_another_alliances_entry_and_malformed_ids_are_not_found(gql: GraphQLClient) -> None:
    theirs = (await _newest(gql, "other"))[0]["id"]
    for id_ in (theirs, "0", "-1", "9223372036854775808", "1e3", "１２", str(uuid.uuid4()), "x"):
        assert error_code(await gql(ENTRY, {"id": id_}, login="auditor")) == "NOT_FOUND", id_
        body = await gql(NODE, {"id": id_}, login="auditor")
        assert body["data"] == {"node": None} and error_code(body) == "NOT_FOUND", id_


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("7", 7),
        ("007", 7),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("0", None),
        ("²", None),
        ("", None),
        ("0190b4c5-8e4c-7f00-8000-000000000001", uuid.UUID("0190b4c5-8e4c-7f00-8000-000000000001")),
    ],
)
def test_parse_key(text: str, key: object) -> None:
    assert parse_key(text) == key


def test_two_integer_keyed_tables_would_collide_and_are_refused() -> None:
    with pytest.raises(ValueError, match="at most one"):
        TableLookup([KeyedTable("audit_log", kind="bigint"), KeyedTable("activity", kind="bigint")])
    with pytest.raises(ValueError, match="plain"):
        TableLookup([KeyedTable("activity", key="id; DROP TABLE x")])
