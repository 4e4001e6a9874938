"""Follow-up (督办) is batched: a list of councils and meetings asking for their open tasks sends
as many SQL statements for 2 councils (4 meetings) as for 5 (10 meetings)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from schema import build_schema
from services.core.authz import Authorizer
from services.core.principal import Principal
from services.core.settings import Settings
from services.directory.operations import account_id_for
from tests.conftest import GraphQLClient
from tests.councils.conftest import (
    ADOPT,
    CREATE_COUNCIL,
    DemoOrgs,
    MakeMeeting,
    accepted_item,
    data,
    days_ahead,
)
from tests.support.statements import BOOKKEEPING, StatementLog, context_for
from tests.support.statements import counting_pool as counting_pool  # a fixture

COUNCIL = """
query($id: ID!) {
  council(id: $id) {
    openTasks { resolution { id } task { id status overdue } }
    meetings { id followUp { resolution { id } task { id status dueDate overdue } } }
  }
}
"""
OPEN_TASKS = """
query($first: Int!, $search: String!) {
  councils(first: $first, filter: {search: $search}) {
    edges { node { id openTasks { resolution { id } task { id status overdue } } } }
  }
}
"""


async def _council_with_a_follow_up(
    gql: GraphQLClient, orgs: DemoOrgs, make_meeting: MakeMeeting, name: str, meetings: int = 2
) -> str:
    """A council whose first meeting adopted a resolution with two tasks, and later meetings."""
    created = await gql(
        CREATE_COUNCIL,
        {
            "input": {
                "name": name,
                "kind": "SOE_JOINT_MEETING",
                "hostOrganizationId": str(orgs["street"]),
                "memberOrganizationIds": [str(orgs["soe"]), str(orgs["stationed"])],
            }
        },
        login="alliance-admin",
    )
    council = str(data(created, "createCouncil", "council")["id"])
    held = await make_meeting(council, start=-48)
    item = await accepted_item(gql, council, held)
    tasks = [
        {"title": f"任务{n}", "leadOrganizationId": str(orgs[lead]), "dueDate": days_ahead(10)}
        for n, lead in enumerate(("soe", "stationed"))
    ]
    adopted = await gql(
        ADOPT,
        {"input": {"meetingId": held, "agendaItemId": item, "text": "决议", "tasks": tasks}},
        login="street-admin",
    )
    data(adopted, "adoptResolution")
    for later in range(1, meetings):
        await make_meeting(council, start=-1 + 24 * (later - 1))
    return council


async def test_follow_up_statements_do_not_grow_with_the_number_of_meetings(
    settings: Settings,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    gql: GraphQLClient,
    orgs: DemoOrgs,
    make_meeting: MakeMeeting,
    counting_pool: tuple[asyncpg.Pool, StatementLog],
) -> None:
    pool, log = counting_pool
    search = f"督办计数{uuid.uuid4().hex[:8]}"
    two = await _council_with_a_follow_up(gql, orgs, make_meeting, f"{search}-0")
    five = await _council_with_a_follow_up(gql, orgs, make_meeting, f"{search}-1", meetings=5)
    for index in range(2, 5):
        await _council_with_a_follow_up(gql, orgs, make_meeting, f"{search}-{index}")

    tenant_id = demo["demo"]
    authorizer = Authorizer()
    account_id = await account_id_for(admin_conn, tenant_id=tenant_id, login="alliance-admin")
    principal = Principal(
        account_id=account_id,
        login="alliance-admin",
        tenant_id=tenant_id,
        tenant_slug="demo",
        roles=await authorizer.roles_of(pool, account_id, tenant_id),
        organization_ids=authorizer.organizations(account_id, tenant_id),
    )
    schema = build_schema(settings)

    async def statements_for(document: str, variables: dict[str, object]) -> tuple[list[str], Any]:
        context = context_for(
            settings=settings, pool=pool, authorizer=authorizer, principal_or_none=principal
        )
        log.queries.clear()
        result = await schema.execute(document, variable_values=variables, context_value=context)
        assert result.errors is None, result.errors
        return [q for q in log.queries if not q.startswith(BOOKKEEPING)], result.data

    await statements_for(COUNCIL, {"id": five})  # warm up
    small, _ = await statements_for(COUNCIL, {"id": two})
    large, found = await statements_for(COUNCIL, {"id": five})
    council = found["council"]
    assert len(council["openTasks"]) == 2 and len(council["meetings"]) == 5
    held, *later = council["meetings"]
    # The meeting that adopted the resolution does not follow it up; every later one does.
    assert held["followUp"] == []
    open_ids = [f["task"]["id"] for f in council["openTasks"]]
    assert all([f["task"]["id"] for f in m["followUp"]] == open_ids for m in later)
    assert len(small) == len(large), "\n".join(large)

    await statements_for(OPEN_TASKS, {"first": 5, "search": search})  # warm up
    small, _ = await statements_for(OPEN_TASKS, {"first": 2, "search": search})
    large, found = await statements_for(OPEN_TASKS, {"first": 5, "search": search})
    nodes = [edge["node"] for edge in found["councils"]["edges"]]
    assert len(nodes) == 5 and all(len(node["openTasks"]) == 2 for node in nodes)
    assert len(small) == len(large), "\n".join(large)
