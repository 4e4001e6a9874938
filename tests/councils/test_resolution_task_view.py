"""A resolution's task is a view of its ledger item: node(task.id) answers that LedgerItem."""

from __future__ import annotations

import uuid

import asyncpg

from services.councils.demo import STREET_COUNCIL
from services.domain import Platform
from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import data

TASKS = (
    "query($id: ID!) { council(id: $id) { meetings { resolutions { tasks { id title status dueDate } } } } }"
)
NODE = "query($id: ID!) { node(id: $id) { __typename ... on LedgerItem { id title status dueDate } } }"


async def test_node_of_a_resolution_tasks_id_is_its_ledger_item(
    admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], gql: GraphQLClient
) -> None:
    await Platform.default().seed_demo(admin_conn)  # in order: the ledger's demo before the councils'
    council = await admin_conn.fetchval("SELECT id FROM councils WHERE name = $1", STREET_COUNCIL)
    meetings = data(await gql(TASKS, {"id": str(council)}, login="alliance-admin"), "council", "meetings")
    tasks = [
        task for meeting in meetings for resolution in meeting["resolutions"] for task in resolution["tasks"]
    ]
    assert tasks
    for task in tasks:
        body = await gql(NODE, {"id": task["id"]}, login="alliance-admin")
        assert body["data"]["node"] == {"__typename": "LedgerItem", **task}
        other = await gql(NODE, {"id": task["id"]}, login="alliance-admin", tenant="other")
        assert other["data"]["node"] is None and error_code(other) == "NOT_FOUND"
