"""Relay global object identification: node(id) and nodes(ids) answer as each type's root field.

Everything is derived from the schema and the registered node types, so a new domain's type
with an ``id: ID!`` fails here until it is registered (or excused below, with a reason).
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
    parse,
)

from schema import build_schema
from schema.compiled.compiler import NotCompiled, compile_plan
from schema.nodes import MAX_NODES
from services.core.settings import Settings
from services.domain import Platform
from tests.conftest import GraphQLClient, error_code
from tests.councils.helpers import member_feed
from tests.partners.helpers import new_key, partner_rows
from tests.support.polling import eventually

# Object types with an ``id: ID!`` that are not nodes, and why: each is read only inside its
# parent or through a filtered list, with no root field that answers it by id; its visibility
# is its parent's, so a node(id) of its own would need a rule no root field has. Values
# embedded in another object (an edge, a summary, a payload's part) are no nodes either.
# None is left: every object type with an id is a node, or a view of one (VIEWS).
NOT_NODES: dict[str, str] = {}

# Object types whose id is another type's (a view of the same object): node(id) answers the
# object itself, as the named node type. Each has a test that node(view.id) does so.
VIEWS = {
    "CobuildingAgreementSummary": "CobuildingAgreement",  # tests/cobuilding/test_summary_node.py
    "Event": "ActivityEntry",  # tests/gateway/test_event_flow.py
    "ResolutionTask": "LedgerItem",  # tests/councils/test_resolution_task_view.py
}

READERS = ("alliance-admin", "street-admin", "member", "auditor")
ROWS_PER_TYPE = 4


def _graphql_schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def _with_id(schema: GraphQLSchema) -> dict[str, GraphQLObjectType]:
    found = {}
    for name, type_ in schema.type_map.items():
        if isinstance(type_, GraphQLObjectType) and not name.startswith("__"):
            field = type_.fields.get("id")
            if field is not None and str(field.type) == "ID!":
                found[name] = type_
    return found


def test_every_object_type_with_an_id_is_a_node_or_excused() -> None:
    schema = _graphql_schema()
    node = schema.type_map["Node"]
    assert isinstance(node, GraphQLInterfaceType)
    with_id = _with_id(schema)
    nodes = {name for name, type_ in with_id.items() if node in type_.interfaces}
    undecided = set(with_id) - nodes - set(NOT_NODES) - set(VIEWS)
    assert undecided == set(), "implement Node and register it in NODES, or excuse it in NOT_NODES"
    assert set(NOT_NODES) <= set(with_id) - nodes, "an excused type is gone or became a node"
    assert set(VIEWS) <= set(with_id) - nodes, "a view is gone or became a node"
    assert set(VIEWS.values()) <= nodes, "a view's id must be a node type's"
    assert len(nodes) >= 8


def test_every_node_type_is_registered_with_its_own_root_field() -> None:
    built = build_schema(Settings())
    schema = built._schema
    implementers = {t.name for t in schema.get_implementations(schema.type_map["Node"]).objects}  # type: ignore[arg-type]
    assert set(built.nodes.tables) == implementers
    for name in implementers:
        assert _root_field(schema, name) is not None, f"{name} has no root field by id"


def _root_field(schema: GraphQLSchema, type_name: str) -> str | None:
    """The Query field answering one ``type_name`` by ``id: ID!``."""
    assert schema.query_type is not None
    for name, field in schema.query_type.fields.items():
        if (
            isinstance(field.type, GraphQLNonNull)
            and get_named_type(field.type).name == type_name
            and list(field.args) == ["id"]
        ):
            return name
    return None


def _leaves(type_: GraphQLObjectType) -> str:
    """The type's own leaf fields that take no argument (its data, as compared below)."""
    return " ".join(
        name
        for name, field in type_.fields.items()
        if not field.args and is_leaf_type(get_named_type(field.type))
    )


@pytest.fixture(scope="module")
async def everything(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, uuid.UUID]:
    """Every domain's demo data (each loads once however often it is asked), and partner rows
    (keys, operations, webhooks) and a calendar feed, which the demo holds none of."""
    await Platform.default().seed_demo(admin_conn)
    await partner_rows(admin_conn, demo["demo"], "node-endpoint")
    await member_feed(admin_conn, demo["demo"])
    return demo


@pytest.fixture
async def recorded(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, everything: dict[str, uuid.UUID]
) -> dict[str, uuid.UUID]:
    """The demo data, plus a change made through the API, once its activity entry and audit row
    exist: the feed and the trail are written by the platform as it runs, not by demo loaders."""
    created = await gql(
        'mutation { createOrganization(input: {name: "全局标识", kind: AGENCY}) { organization { id } } }',
        login="alliance-admin",
    )
    subject = created["data"]["createOrganization"]["organization"]["id"]  # type: ignore[index]
    await eventually(
        lambda: admin_conn.fetchval("SELECT count(*) FROM activity WHERE subject = $1", subject),
        lambda count: count > 0,
        within=20,
        interval=0.1,
    )
    assert await admin_conn.fetchval("SELECT count(*) FROM audit_log WHERE entity_id = $1", subject)
    return everything


@pytest.fixture(scope="module")
async def partner_key(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> str:
    """A key whose limits the node matrix (two requests per row of every node type) stays
    within however fast the machine sends them: limits are tests/partners' subject, not this."""
    key_id, plaintext = await new_key(admin_conn, "node-reader")
    await admin_conn.execute(
        "INSERT INTO partner_key_limits (tenant_id, api_key_id, requests_per_minute, burst, cost_per_minute)"
        " VALUES ($1, $2, 1000000, 1000000, 1000000000)",
        demo["demo"],
        key_id,
    )
    return plaintext


async def _ask(
    gql: GraphQLClient, query: str, variables: dict[str, Any], who: str, tenant: str = "demo"
) -> dict[str, Any]:
    """``who`` is a login, or ``key:<secret>`` for a partner key."""
    if who.startswith("key:"):
        return await gql(query, variables, headers={"x-api-key": who.removeprefix("key:")})
    return await gql(query, variables, login=who, tenant=tenant)


async def test_node_answers_as_each_types_root_field(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    recorded: dict[str, uuid.UUID],
    partner_key: str,
) -> None:
    everything = recorded
    built = build_schema(Settings())
    schema = built._schema
    readers = (*READERS, f"key:{partner_key}")
    answered: dict[str, set[str]] = {}
    for type_name, table in sorted(built.nodes.tables.items()):
        root = _root_field(schema, type_name)
        type_ = schema.type_map[type_name]
        assert root is not None and isinstance(type_, GraphQLObjectType)
        fields = _leaves(type_)
        by_node = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on {type_name} {{ {fields} }} }} }}"
        by_root = f"query($id: ID!) {{ {root}(id: $id) {{ __typename {fields} }} }}"
        key = built.nodes.keys[type_name]
        rows = await admin_conn.fetch(
            f'SELECT "{key}" AS id FROM "{table}" WHERE tenant_id = $1 ORDER BY id LIMIT {ROWS_PER_TYPE}',
            everything["demo"],
        )
        assert rows, f"no {type_name} in the demo data: add some to the domain's demo loader"
        for row in rows:
            variables = {"id": str(row["id"])}
            for who in readers:
                expected = await _ask(gql, by_root, variables, who)
                got = await _ask(gql, by_node, variables, who)
                code = error_code(expected)
                # node never tells which type an id names: FORBIDDEN there is NOT_FOUND here.
                assert error_code(got) == ("NOT_FOUND" if code == "FORBIDDEN" else code), (
                    type_name, who, expected, got,
                )  # fmt: skip
                if code is None:
                    assert got["data"]["node"] == expected["data"][root], (type_name, who)
                    answered.setdefault(type_name, set()).add(who)
                else:
                    assert got["data"]["node"] is None
                    assert got["errors"][0]["path"] == ["node"]
            # Another alliance's reader: the row does not exist for it.
            other = await _ask(gql, by_node, variables, "alliance-admin", tenant="other")
            assert other["data"]["node"] is None and error_code(other) == "NOT_FOUND"
            assert (
                error_code(await _ask(gql, by_root, variables, "alliance-admin", tenant="other"))
                == "NOT_FOUND"
            )
    # Not vacuous: every type was answered with data to someone.
    assert set(answered) == set(built.nodes.tables)


async def _some(admin_conn: asyncpg.Connection, table: str, tenant_id: uuid.UUID) -> str:
    value = await admin_conn.fetchval(f'SELECT id FROM "{table}" WHERE tenant_id = $1 LIMIT 1', tenant_id)
    assert value is not None
    return str(value)


NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


async def test_nodes_answers_each_id_at_its_index(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, everything: dict[str, uuid.UUID], partner_key: str
) -> None:
    resource = await _some(admin_conn, "resources", everything["demo"])
    ledger_item = await _some(admin_conn, "ledger_items", everything["demo"])
    organization = await _some(admin_conn, "organizations", everything["demo"])
    foreign = await _some(admin_conn, "organizations", everything["other"])
    ids = [resource, str(uuid.uuid4()), "not-a-uuid", foreign, ledger_item, organization, resource]

    body = await gql(NODES, {"ids": ids}, login="auditor")
    data = body["data"]["nodes"]
    assert [None if item is None else item["__typename"] for item in data] == [
        "Resource", None, None, None, "LedgerItem", "Organization", "Resource",
    ]  # fmt: skip
    assert [item["id"] for item in data if item] == [resource, ledger_item, organization, resource]
    errors = {tuple(error["path"]): error["extensions"]["code"] for error in body["errors"]}
    assert errors == {("nodes", 1): "NOT_FOUND", ("nodes", 2): "NOT_FOUND", ("nodes", 3): "NOT_FOUND"}

    # A partner key reads (published) resources, not the ledger: ledgerItem answers it
    # FORBIDDEN, and nodes NOT_FOUND at that index, as for an id naming nothing, so that an id
    # does not tell which type it names.
    listed = await gql(
        "{ resources(first: 1) { edges { node { id } } } }", headers={"x-api-key": partner_key}
    )
    resource = listed["data"]["resources"]["edges"][0]["node"]["id"]  # type: ignore[index]
    body = await gql(NODES, {"ids": [resource, ledger_item]}, headers={"x-api-key": partner_key})
    assert body["data"]["nodes"][0] == {"__typename": "Resource", "id": resource}
    assert body["data"]["nodes"][1] is None
    assert [(error["path"], error["extensions"]["code"]) for error in body["errors"]] == [
        (["nodes", 1], "NOT_FOUND")
    ]
    forbidden = await gql(
        "query($id: ID!) { ledgerItem(id: $id) { id } }",
        {"id": ledger_item},
        headers={"x-api-key": partner_key},
    )
    assert error_code(forbidden) == "FORBIDDEN"
    assert (await gql(NODES, {"ids": []}, login="member"))["data"] == {"nodes": []}


async def test_node_of_a_member_is_audited_as_member_is(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, everything: dict[str, uuid.UUID]
) -> None:
    member = await _some(admin_conn, "party_members", everything["demo"])
    count = "SELECT count(*) FROM audit_log WHERE action = 'party_member.read' AND entity_id = $1 AND actor_login = 'auditor'"
    before = await admin_conn.fetchval(count, member)
    body = await gql(NODE, {"id": member}, login="auditor")
    assert body["data"]["node"] == {"__typename": "Member", "id": member}
    assert await admin_conn.fetchval(count, member) == before + 1


async def test_node_of_a_life_record_is_audited_as_its_root_is(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, everything: dict[str, uuid.UUID]
) -> None:
    """A session record looked up (调阅) through node writes the read row its root writes."""
    record = await _some(admin_conn, "organisational_life_records", everything["demo"])
    count = (
        "SELECT count(*) FROM audit_log WHERE action = 'organisational_life_record.read'"
        " AND entity_id = $1 AND actor_login = 'auditor'"
    )
    before = await admin_conn.fetchval(count, record)
    body = await gql(NODE, {"id": record}, login="auditor")
    assert body["data"]["node"] == {"__typename": "OrganisationalLifeRecord", "id": record}
    assert await admin_conn.fetchval(count, record) == before + 1


async def test_hostile_ids(
    gql: GraphQLClient, http: httpx.AsyncClient, everything: dict[str, uuid.UUID]
) -> None:
    for malformed in ("", "x" * 200, "12345", "' OR 1=1 --", "00000000-0000-0000-0000-00000000000g"):
        body = await gql(NODE, {"id": malformed}, login="member")
        assert body["data"] == {"node": None} and error_code(body) == "NOT_FOUND", malformed
        assert body["errors"][0]["path"] == ["node"]
    # Text no ID may hold is refused before any resolver, as for every ID argument.
    for refused in ("a\x00b", "x" * 10_001):
        body = await gql(NODE, {"id": refused}, login="member")
        assert error_code(body) == "BAD_USER_INPUT" and body["errors"][0]["extensions"]["field"] == "id"
    for count in (MAX_NODES + 1, 10_000):
        body = await gql(NODES, {"ids": [str(i) for i in range(count)]}, login="member")
        assert body["data"] is None
        assert error_code(body) == "BAD_USER_INPUT" and body["errors"][0]["extensions"]["field"] == "ids"
    body = await gql(NODES, {"ids": ["x"] * MAX_NODES}, login="member")
    assert body["data"]["nodes"] == [None] * MAX_NODES
    assert {error["extensions"]["code"] for error in body["errors"]} == {"NOT_FOUND"}
    # 10,000 full UUIDs do not fit in a request body at all.
    query = {"query": NODES, "variables": {"ids": [str(uuid.uuid4()) for _ in range(10_000)]}}
    assert (await http.post("/graphql", json=query)).status_code == 413
    assert error_code(await gql(NODE, {"id": str(uuid.uuid4())})) == "UNAUTHENTICATED"


@pytest.mark.parametrize("document", [NODE, NODES, 'query { resources { totalCount } node(id: "x") { id } }'])
def test_node_documents_are_left_to_the_interpreter(document: str) -> None:
    """node is no mapped root: any document asking for it is answered by the interpreter."""
    reads = build_schema(Settings()).compiled_reads
    with pytest.raises(NotCompiled):
        compile_plan(reads.schema, reads.mappings, Settings(), parse(document), None, lambda obj, act: True)
