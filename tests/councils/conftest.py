"""Shared pieces of the councils tests: documents, organisations of the demo tenant, a council."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from tests.conftest import GraphQLClient

LOCAL = ZoneInfo("Asia/Shanghai")

CREATE_COUNCIL = """
mutation($input: CreateCouncilInput!) { createCouncil(input: $input) { council { id name kind public } } }
"""
SCHEDULE = """
mutation($input: ScheduleMeetingInput!) {
  scheduleMeeting(input: $input) { meeting { id status start end venueBookingId convener { id } } }
}
"""
PROPOSE = """
mutation($input: ProposeAgendaItemInput!) { proposeAgendaItem(input: $input) { agendaItem { id status } } }
"""
ACCEPT = """
mutation($input: AcceptAgendaItemInput!) { acceptAgendaItem(input: $input) { agendaItem { id status meetingId } } }
"""
COMMENT = """
mutation($input: CommentOnAgendaItemInput!) {
  commentOnAgendaItem(input: $input) { comment { id body organization { id } } agendaItem { id } }
}
"""
ATTENDANCE = """
mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { meeting { id status } } }
"""
ADOPT = """
mutation($input: AdoptResolutionInput!) {
  adoptResolution(input: $input) {
    resolution { id text tasks { id status dueDate overdue leadOrganization { id } } }
  }
}
"""
CLOSE = (
    "mutation($input: CloseAgendaItemInput!) { closeAgendaItem(input: $input) { agendaItem { id status } } }"
)
MINUTES = "mutation($input: PublishMinutesInput!) { publishMinutes(input: $input) { meeting { id status minutes } } }"
CANCEL = "mutation($input: CancelMeetingInput!) { cancelMeeting(input: $input) { meeting { id status } } }"
MEETING = """
query($id: ID!) {
  meeting(id: $id) {
    id status minutes
    agenda { id title status comments { body organization { id } } }
    attendance { organizationId status delegate }
    resolutions { id text tasks { id status overdue } }
    followUp { resolution { id } task { id status dueDate overdue leadOrganization { id } } }
  }
}
"""

DemoOrgs = dict[str, uuid.UUID]


def data(body: dict[str, object], *path: str) -> Any:
    """``body["data"][path…]`` as decoded JSON, failing with the whole body when it has errors."""
    assert body.get("errors") is None, body
    node: Any = body["data"]
    for key in path:
        node = node[key]
    return node


@pytest.fixture
async def orgs(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> DemoOrgs:
    rows = await admin_conn.fetch("SELECT name, id FROM organizations WHERE tenant_id = $1", demo["demo"])
    by_name = {row["name"]: row["id"] for row in rows}
    return {
        "district": by_name["区委组织部"],
        "street": by_name["东城街道党工委"],
        "community-a": by_name["花园社区党委"],
        "community-b": by_name["滨河社区党支部"],
        "soe": by_name["城市建设投资集团有限公司党委"],
        "stationed": by_name["区人民医院党委"],
        "private": by_name["新华科技有限公司党支部"],
    }


STATIONED_ADMIN = "hospital-admin"


@pytest.fixture
async def stationed_admin(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: DemoOrgs) -> str:
    """An org_admin of the hospital (区人民医院党委), who works the ledger tasks it leads."""
    tenant_id = demo["demo"]
    account_id = await admin_conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, $2, '区人民医院 党委书记')"
        " ON CONFLICT (home_tenant_id, login) DO UPDATE SET login = EXCLUDED.login RETURNING id",
        tenant_id,
        STATIONED_ADMIN,
    )
    await admin_conn.execute(
        "INSERT INTO role_assignments (tenant_id, account_id, role, organization_id)"
        " SELECT $1, $2, 'org_admin', $3 WHERE NOT EXISTS"
        " (SELECT 1 FROM role_assignments WHERE account_id = $2 AND role = 'org_admin')",
        tenant_id,
        account_id,
        orgs["stationed"],
    )
    return STATIONED_ADMIN


def at(hours: float) -> str:
    """An ISO-8601 time ``hours`` from now (negative: in the past), to the second."""
    return (dt.datetime.now(LOCAL).replace(microsecond=0) + dt.timedelta(hours=hours)).isoformat()


def days_ahead(days: int) -> str:
    return (dt.datetime.now(LOCAL).date() + dt.timedelta(days=days)).isoformat()


MakeCouncil = Callable[..., Awaitable[str]]


@pytest.fixture
def make_council(gql: GraphQLClient, orgs: DemoOrgs) -> MakeCouncil:
    """A street council hosted by the street committee, with the SOE, the hospital and a community."""

    async def make(
        public: bool = False, members: tuple[str, ...] = ("community-a", "soe", "stationed")
    ) -> str:
        body = await gql(
            CREATE_COUNCIL,
            {
                "input": {
                    "name": f"联席会议-{uuid.uuid4().hex[:6]}",
                    "kind": "STREET_JOINT_MEETING",
                    "hostOrganizationId": str(orgs["street"]),
                    "memberOrganizationIds": [str(orgs[m]) for m in members],
                    "public": public,
                }
            },
            login="alliance-admin",
        )
        return str(data(body, "createCouncil", "council")["id"])

    return make


MakeMeeting = Callable[..., Awaitable[str]]


@pytest.fixture
def make_meeting(gql: GraphQLClient) -> MakeMeeting:
    """A meeting scheduled by the street's admin; by default it began an hour ago."""

    async def make(council_id: str, start: float = -1, hours: float = 2, **more: object) -> str:
        body = await gql(
            SCHEDULE,
            {
                "input": {
                    "councilId": council_id,
                    "title": "季度联席会议",
                    "start": at(start),
                    "end": at(start + hours),
                    **more,
                }
            },
            login="street-admin",
        )
        return str(data(body, "scheduleMeeting", "meeting")["id"])

    return make


async def accepted_item(gql: GraphQLClient, council_id: str, meeting_id: str, title: str = "停车难") -> str:
    body = await gql(
        PROPOSE,
        {
            "input": {
                "councilId": council_id,
                "title": title,
                "description": "老旧小区停车位不足",
                "category": "民生",
            }
        },
        login="soe-admin",
    )
    item_id = str(data(body, "proposeAgendaItem", "agendaItem")["id"])
    data(await gql(ACCEPT, {"input": {"id": item_id, "meetingId": meeting_id}}, login="street-admin"))
    return item_id
