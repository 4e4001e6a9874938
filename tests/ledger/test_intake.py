"""The ledger's declared interface: other domains open sourced tasks and read their states."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from services.core.errors import BadUserInput
from services.core.tenancy import set_scope
from services.events.changes import SystemActor
from services.ledger.intake import SourcedTask, open_sourced_tasks
from services.ledger.reads import LedgerItemSignedOff, sourced_task_states

STREET = "东城街道党工委"
COMMUNITY = "花园社区党委"


def local_today() -> dt.date:
    """The district's calendar day, as the ledger counts deadlines."""
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _org(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    found = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, name
    )
    assert found is not None
    return uuid.UUID(str(found))


@pytest.fixture
async def scoped(conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> asyncpg.Connection:
    await set_scope(conn, tenant_id=demo["demo"])
    return conn


def _tasks(community: uuid.UUID, street: uuid.UUID) -> list[SourcedTask]:
    today = local_today()
    return [
        SourcedTask(
            key="1", title="整治老旧小区停车难", responsible_organization_id=community, due_date=today
        ),
        SourcedTask(
            key="2",
            title="共建党员志愿服务队",
            responsible_organization_id=community,
            due_date=today - dt.timedelta(days=3),
            description="每月一次",
            supporting_organization_ids=(street,),
        ),
    ]


async def test_opens_tasks_once_and_reads_their_states(
    scoped: asyncpg.Connection, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    tenant_id = demo["demo"]
    street, community = (
        await _org(admin_conn, tenant_id, STREET),
        await _org(admin_conn, tenant_id, COMMUNITY),
    )
    actor = SystemActor(tenant_id=tenant_id, login="council-test")
    source_id = uuid.uuid4()
    opened = await open_sourced_tasks(
        scoped,
        actor=actor,
        source="COUNCIL_RESOLUTION",
        source_id=source_id,
        assigning_organization_id=street,
        tasks=_tasks(community, street),
    )
    assert [(s.key, s.status, s.source, s.source_id) for s in opened] == [
        ("1", "OPEN", "COUNCIL_RESOLUTION", source_id),
        ("2", "OPEN", "COUNCIL_RESOLUTION", source_id),
    ]
    assert [s.overdue for s in opened] == [False, True]
    assert all(s.responsible_organization_id == community for s in opened)
    rows = await scoped.fetch(
        "SELECT list, year, organization_id, assigning_organization_id, supporting_organization_ids"
        " FROM ledger_items WHERE source_id = $1 ORDER BY source_key",
        source_id,
    )
    assert [r["list"] for r in rows] == ["TASK", "TASK"]
    assert rows[1]["year"] == (local_today() - dt.timedelta(days=3)).year
    assert rows[1]["supporting_organization_ids"] == [street]
    assert {r["assigning_organization_id"] for r in rows} == {street}
    events = await scoped.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'ledger_item.created.v1' AND aggregate_id = ANY($1::text[])",
        [str(s.id) for s in opened],
    )
    audits = await scoped.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'ledger_item.created' AND entity_id = ANY($1::text[])",
        [str(s.id) for s in opened],
    )
    assert (events, audits) == (2, 2)

    # Again, even with a changed title: the existing items come back and nothing is written.
    before = await scoped.fetchval("SELECT count(*) FROM outbox")
    changed = [
        SourcedTask(key="1", title="别的标题", responsible_organization_id=community, due_date=local_today())
    ]
    again = await open_sourced_tasks(
        scoped,
        actor=actor,
        source="COUNCIL_RESOLUTION",
        source_id=source_id,
        assigning_organization_id=street,
        tasks=[*changed, *_tasks(community, street)[1:]],
    )
    assert again == opened
    assert await scoped.fetchval("SELECT count(*) FROM outbox") == before
    assert await sourced_task_states(scoped, source="COUNCIL_RESOLUTION", source_ids=[source_id]) == opened
    assert await sourced_task_states(scoped, source="COBUILDING_MILESTONE", source_ids=[source_id]) == []


async def _waits_on_a_lock(admin_conn: asyncpg.Connection, pid: int) -> bool:
    return bool(
        await admin_conn.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid)
    )


async def test_concurrent_calls_open_each_task_once(
    pool: asyncpg.Pool, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    """Two transactions open the same source's task at once: the second waits on the first's
    unique key, then returns the first's item and records no event of its own."""
    tenant_id = demo["demo"]
    street = await _org(admin_conn, tenant_id, STREET)
    community = await _org(admin_conn, tenant_id, COMMUNITY)
    source_id = uuid.uuid4()
    task = _tasks(community, street)[:1]
    actor = SystemActor(tenant_id=tenant_id, login="race")
    async with pool.acquire() as first, pool.acquire() as second:
        first_tx, second_tx = first.transaction(), second.transaction()
        await first_tx.start()
        await second_tx.start()
        await set_scope(first, tenant_id=tenant_id)
        await set_scope(second, tenant_id=tenant_id)
        kwargs = {
            "actor": actor,
            "source": "COBUILDING_MILESTONE",
            "source_id": source_id,
            "assigning_organization_id": street,
            "tasks": task,
        }
        won = await open_sourced_tasks(first, **kwargs)  # type: ignore[arg-type]
        racing = asyncio.create_task(open_sourced_tasks(second, **kwargs))  # type: ignore[arg-type]
        second_pid = second.get_server_pid()
        async with asyncio.timeout(30):
            while not await _waits_on_a_lock(admin_conn, second_pid):  # noqa: ASYNC110  (polled)
                await asyncio.sleep(0.01)
        await first_tx.commit()
        lost = await asyncio.wait_for(racing, timeout=30)
        await second_tx.commit()
    assert [s.id for s in lost] == [s.id for s in won]
    count = await admin_conn.fetchval(
        "SELECT count(*) FROM ledger_items WHERE tenant_id = $1 AND source_id = $2", tenant_id, source_id
    )
    events = await admin_conn.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'ledger_item.created.v1' AND aggregate_id = $1",
        str(won[0].id),
    )
    assert (count, events) == (1, 1)


async def test_the_unique_key_is_the_last_word(
    scoped: asyncpg.Connection, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    """Without the application's help the database refuses a second item for one source key."""
    tenant_id = demo["demo"]
    street = await _org(admin_conn, tenant_id, STREET)
    source_id = uuid.uuid4()
    insert = (
        "INSERT INTO ledger_items (tenant_id, list, organization_id, assigning_organization_id, year, title,"
        " source, source_id, source_key, responsible_organization_id, due_date)"
        " VALUES ($1, 'TASK', $2, $2, 2026, 't', 'COUNCIL_RESOLUTION', $3, '1', $2, '2026-06-01')"
    )
    await scoped.execute(insert, tenant_id, street, source_id)
    with pytest.raises(asyncpg.UniqueViolationError):
        await scoped.execute(insert, tenant_id, street, source_id)


async def test_bad_input_is_refused(
    scoped: asyncpg.Connection, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    tenant_id = demo["demo"]
    street = await _org(admin_conn, tenant_id, STREET)
    other_street = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND kind = 'STREET_COMMITTEE'", demo["other"]
    )
    actor = SystemActor(tenant_id=tenant_id)
    task = SourcedTask(key="1", title="t", responsible_organization_id=street, due_date=local_today())
    cases: list[tuple[dict[str, object], str]] = [
        ({"source": "REVIEW", "tasks": [task]}, "source"),
        ({"tasks": [task, task]}, "key"),
        (
            {
                "tasks": [
                    SourcedTask(
                        key=" ", title="t", responsible_organization_id=street, due_date=task.due_date
                    )
                ]
            },
            "key",
        ),
        (
            {
                "tasks": [
                    SourcedTask(key="1", title="", responsible_organization_id=street, due_date=task.due_date)
                ]
            },
            "title",
        ),
        (
            {
                "tasks": [
                    SourcedTask(
                        key="1", title="t", responsible_organization_id=other_street, due_date=task.due_date
                    )
                ]
            },
            "organizationId",
        ),
    ]
    for given, field in cases:
        arguments: dict[str, object] = {"source": "COUNCIL_RESOLUTION", "tasks": [task], **given}
        with pytest.raises(BadUserInput) as raised:
            await open_sourced_tasks(
                scoped,
                actor=actor,
                source_id=uuid.uuid4(),
                assigning_organization_id=street,
                **arguments,  # type: ignore[arg-type]
            )
        assert raised.value.field == field
    assert await scoped.fetchval("SELECT count(*) FROM ledger_items WHERE title = 't'") == 0


def test_signed_off_event_carries_its_source() -> None:
    event = LedgerItemSignedOff(
        id=str(uuid.uuid4()),
        list="TASK",
        title="t",
        organization_id=str(uuid.uuid4()),
        assigning_organization_id=str(uuid.uuid4()),
        responsible_organization_id=str(uuid.uuid4()),
        year=2026,
        due_date="2026-06-01",
        status="SIGNED_OFF",
        percent=100,
        origin="COBUILDING_MILESTONE",
        source_id=str(uuid.uuid4()),
        source_key="m-1",
    )
    data = event.data()
    assert LedgerItemSignedOff.type_name == "ledger_item.signed_off.v1"
    assert (data["source"], data["sourceId"], data["sourceKey"]) == (
        "COBUILDING_MILESTONE",
        event.source_id,
        "m-1",
    )
    assert LedgerItemSignedOff.from_data(data) == event
