"""Races that really race: two conveners adopting for one item, two replicas sending reminders."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg
import pytest

from services.councils.reminders import send_all_due_reminders
from tests.conftest import GraphQLClient, Tokens, error_code
from tests.councils.conftest import ADOPT, DemoOrgs, MakeCouncil, MakeMeeting, accepted_item, days_ahead


async def test_two_conveners_adopting_at_once_one_wins(
    gql: GraphQLClient,
    tokens: Tokens,
    admin_conn: asyncpg.Connection,
    orgs: DemoOrgs,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    council = await make_council()
    meeting = await make_meeting(council)
    item = await accepted_item(gql, council, meeting)
    task = {"title": "任务", "leadOrganizationId": str(orgs["soe"]), "dueDate": days_ahead(10)}
    # The host's admin and the alliance admin, each with a resolution of their own.
    callers = [
        {"authorization": f"Bearer {await tokens(login)}"} for login in ("street-admin", "alliance-admin")
    ]
    bodies = await asyncio.gather(
        *(
            gql(
                ADOPT,
                {"input": {"meetingId": meeting, "agendaItemId": item, "text": f"决议{n}", "tasks": [task]}},
                headers=headers,
            )
            for n, headers in enumerate(callers * 5)
        )
    )
    codes = [error_code(body) for body in bodies]
    assert codes.count(None) == 1 and codes.count("CONFLICT") == 9, codes
    resolutions = await admin_conn.fetch(
        "SELECT id FROM council_resolutions WHERE agenda_item_id = $1", uuid.UUID(item)
    )
    assert len(resolutions) == 1
    tasks = await admin_conn.fetchval(
        "SELECT count(*) FROM ledger_items WHERE source = 'COUNCIL_RESOLUTION' AND source_id = $1",
        resolutions[0]["id"],
    )
    assert tasks == 1


async def test_the_database_refuses_a_second_resolution_without_the_application(
    admin_conn: asyncpg.Connection,
    gql: GraphQLClient,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    council = await make_council()
    meeting = await make_meeting(council)
    item = await accepted_item(gql, council, meeting)
    tenant = await admin_conn.fetchval(
        "SELECT tenant_id FROM council_meetings WHERE id = $1", uuid.UUID(meeting)
    )
    insert = (
        "INSERT INTO council_resolutions (tenant_id, meeting_id, agenda_item_id, text, task_count)"
        " VALUES ($1, $2, $3, '决议', 0)"
    )
    async with admin_conn.transaction():
        await admin_conn.execute(insert, tenant, uuid.UUID(meeting), uuid.UUID(item))
        with pytest.raises(asyncpg.UniqueViolationError) as refused:
            async with admin_conn.transaction():  # a savepoint: the first row stays
                await admin_conn.execute(insert, tenant, uuid.UUID(meeting), uuid.UUID(item))
        assert refused.value.constraint_name == "council_resolutions_one_per_item"
        await admin_conn.execute("DELETE FROM council_resolutions WHERE agenda_item_id = $1", uuid.UUID(item))


async def test_replicas_sending_reminders_at_once_send_each_once(
    pool: asyncpg.Pool,
    admin_conn: asyncpg.Connection,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    council = await make_council()
    # Starts in 2 hours: its 24 h reminder and its 3 h reminder are due, its 1 h one not yet.
    meeting = await make_meeting(council, start=2, reminderMinutes=[1440, 180, 60])
    sent = await asyncio.gather(*(send_all_due_reminders(pool) for _ in range(6)))
    rows = await admin_conn.fetch(
        "SELECT payload->'data'->>'offsetMinutes' AS offset FROM outbox"
        " WHERE event_type = 'meeting.reminder.v1' AND aggregate_id = $1 ORDER BY 1",
        meeting,
    )
    assert sorted(int(row["offset"]) for row in rows) == [180, 1440]
    assert sum(sent) >= 2
    later = await send_all_due_reminders(
        pool, now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1, minutes=30)
    )
    assert later >= 1
    count = await admin_conn.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'meeting.reminder.v1' AND aggregate_id = $1", meeting
    )
    assert count == 3
