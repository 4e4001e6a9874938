"""Bad input answers BAD_USER_INPUT naming the field, or CONFLICT, and writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest

from services.core.errors import BadUserInput
from services.core.principal import Principal
from services.councils.resolutions import TaskInput, adopt_resolution
from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import (
    ADOPT,
    ATTENDANCE,
    MINUTES,
    SCHEDULE,
    DemoOrgs,
    MakeCouncil,
    MakeMeeting,
    accepted_item,
    at,
    data,
    days_ahead,
)
from tests.resources.conftest import field_of

TABLES = (
    "councils",
    "council_members",
    "council_meetings",
    "council_agenda_items",
    "council_agenda_comments",
    "council_attendance",
    "council_resolutions",
    "ledger_items",
    "bookings",
    "outbox",
    "audit_log",
)


async def _snapshot(admin_conn: asyncpg.Connection) -> dict[str, int]:
    return {table: await admin_conn.fetchval(f"SELECT count(*) FROM {table}") for table in TABLES}


def _task(orgs: DemoOrgs, due: str | None = None) -> dict[str, object]:
    return {"title": "任务", "leadOrganizationId": str(orgs["soe"]), "dueDate": due or days_ahead(10)}


async def test_each_bad_input_is_refused_and_writes_nothing(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    orgs: DemoOrgs,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    council = await make_council()
    meeting = await make_meeting(council)
    item = await accepted_item(gql, council, meeting)
    other_meeting = await make_meeting(council, start=48)
    elsewhere = await accepted_item(gql, council, other_meeting, title="别的议题")
    upcoming = await make_meeting(council, start=72)

    def schedule(**given: object) -> dict[str, object]:
        return {"input": {"councilId": council, "title": "会议", "start": at(24), "end": at(26), **given}}

    def adopt(**given: object) -> dict[str, object]:
        return {"input": {"meetingId": meeting, "agendaItemId": item, "text": "决议", "tasks": [], **given}}

    cases: list[tuple[str, dict[str, object], str, str | None]] = [
        (SCHEDULE, schedule(end=at(23)), "BAD_USER_INPUT", "end"),
        (SCHEDULE, schedule(end=at(24 + 25)), "BAD_USER_INPUT", "end"),
        (SCHEDULE, schedule(start=at(-24 * 31), end=at(-24 * 31 + 2)), "BAD_USER_INPUT", "start"),
        (SCHEDULE, schedule(title="会" * 201), "BAD_USER_INPUT", "title"),
        (ADOPT, adopt(tasks=[_task(orgs, days_ahead(-1))]), "BAD_USER_INPUT", "dueDate"),
        (ADOPT, adopt(tasks=[_task(orgs)] * 51), "BAD_USER_INPUT", "tasks"),
        (ADOPT, adopt(text="决" * 5001), "BAD_USER_INPUT", "text"),
        (ADOPT, adopt(agendaItemId=elsewhere), "BAD_USER_INPUT", "agendaItemId"),
        (
            ATTENDANCE,
            {
                "input": {
                    "meetingId": meeting,
                    "entries": [{"organizationId": str(orgs["community-b"]), "status": "PRESENT"}],
                }
            },
            "BAD_USER_INPUT",
            "entries",
        ),
        (MINUTES, {"input": {"meetingId": upcoming, "text": "纪要"}}, "CONFLICT", None),
    ]
    for document, variables, code, field in cases:
        before = await _snapshot(admin_conn)
        body = await gql(document, variables, login="street-admin")
        assert error_code(body) == code, (variables, body)
        if field is not None:
            assert field_of(body) == field, (variables, body)
        assert await _snapshot(admin_conn) == before, variables

    # A second resolution for one item, and changes to a published meeting: CONFLICT, nothing written.
    data(await gql(ADOPT, adopt(), login="street-admin"))
    before = await _snapshot(admin_conn)
    assert error_code(await gql(ADOPT, adopt(), login="street-admin")) == "CONFLICT"
    assert await _snapshot(admin_conn) == before
    data(await gql(MINUTES, {"input": {"meetingId": meeting, "text": "纪要"}}, login="street-admin"))
    before = await _snapshot(admin_conn)
    closed: list[tuple[str, dict[str, object]]] = [
        (MINUTES, {"input": {"meetingId": meeting, "text": "再发一次"}}),
        (
            ATTENDANCE,
            {
                "input": {
                    "meetingId": meeting,
                    "entries": [{"organizationId": str(orgs["soe"]), "status": "PRESENT"}],
                }
            },
        ),
    ]
    for document, variables in closed:
        assert error_code(await gql(document, variables, login="street-admin")) == "CONFLICT"
    assert await _snapshot(admin_conn) == before


async def test_ten_thousand_tasks_are_refused_before_they_are_read(
    conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: DemoOrgs
) -> None:
    """The service bounds the list itself (over HTTP the body limit refuses such a request first)."""
    actor = Principal(
        account_id=uuid.uuid4(),
        login="x",
        tenant_id=demo["demo"],
        tenant_slug="demo",
        roles=frozenset({"alliance_admin"}),
    )
    task = TaskInput(
        title="t", lead_organization_id=orgs["soe"], due_date=dt.date.today() + dt.timedelta(days=3)
    )
    with pytest.raises(BadUserInput) as refused:
        await adopt_resolution(
            conn,
            actor=actor,
            meeting_id=uuid.uuid4(),
            agenda_item_id=uuid.uuid4(),
            text="决议",
            tasks=[task] * 10_000,
        )
    assert refused.value.field == "tasks"
