"""Political birthdays: exactly once per member and year with several replicas and restarts,
opt-out honoured, notices through a real local webhook receiver, signed and checked."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator

import asyncpg
import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.core.embedded import free_port
from services.orglife.birthdays import run_once
from services.orglife.senders import SIGNATURE_HEADER, LogSender, WebhookSender
from tests.conftest import GraphQLClient
from tests.orglife.conftest import REGISTER, data

SECRET = "birthday-test-secret"
OPT_OUT = """
mutation($input: SetPoliticalBirthdayOptOutInput!) {
  setPoliticalBirthdayOptOut(input: $input) { member { id politicalBirthdayOptOut } }
}
"""


class Receiver:
    """A webhook receiver on a loopback port: keeps each body whose signature checks out."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        self.bad_signatures = 0
        self.refuse = False
        self.port = free_port()

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get(SIGNATURE_HEADER, "")):
            self.bad_signatures += 1
            return Response(status_code=401)
        if self.refuse:
            return Response(status_code=503)
        self.bodies.append(orjson.loads(body))
        return Response(status_code=204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = Starlette(routes=[Route("/notices", found.receive, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=found.port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield found
    server.should_exit = True
    await task


def _ten_years_before(day: dt.date) -> str:
    try:
        return day.replace(year=day.year - 10).isoformat()
    except ValueError:
        return day.replace(year=day.year - 10, day=28).isoformat()


async def test_once_per_member_and_year_through_a_signed_webhook(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    pool: asyncpg.Pool,
    orgs: dict[str, uuid.UUID],
    receiver: Receiver,
) -> None:
    today: dt.date = await admin_conn.fetchval("SELECT orglife_today()")
    joined = _ten_years_before(today)
    wanted = data(
        await gql(
            REGISTER,
            {
                "input": {
                    "organizationId": str(orgs["garden"]),
                    "name": "何生日",
                    "joinedOn": joined,
                    "status": "PROBATIONARY",
                }
            },
            login="street-admin",
        ),
        "registerMember",
        "member",
    )
    declined = data(
        await gql(
            REGISTER,
            {
                "input": {
                    "organizationId": str(orgs["garden"]),
                    "name": "吕退订",
                    "joinedOn": joined,
                    "status": "PROBATIONARY",
                }
            },
            login="street-admin",
        ),
        "registerMember",
        "member",
    )
    await gql(OPT_OUT, {"input": {"memberId": declined["id"], "optOut": True}}, login="street-admin")
    sender = WebhookSender(url=f"http://127.0.0.1:{receiver.port}/notices", secret=SECRET, timeout=5)

    receiver.refuse = True  # the first round's notices fail: claimed, not sent, tried again
    await asyncio.gather(run_once(pool, sender=sender), run_once(pool, sender=sender))  # two replicas at once
    receiver.refuse = False
    await asyncio.gather(run_once(pool, sender=sender), run_once(pool, sender=sender))
    await run_once(pool, sender=sender)  # a restart finds everything claimed and sent

    mine = [b for b in receiver.bodies if b["memberId"] == wanted["id"]]
    assert len(mine) == 1 and mine[0]["years"] == 10 and mine[0]["name"] == "何生日"
    assert mine[0]["year"] == today.year
    assert not [b for b in receiver.bodies if b["memberId"] == declined["id"]]
    assert receiver.bad_signatures == 0
    events = await admin_conn.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'member.political_birthday.v1' AND aggregate_id = $1",
        wanted["id"],
    )
    assert events == 1
    claims = await admin_conn.fetch(
        "SELECT member_id, sent_at FROM political_birthday_claims WHERE member_id = ANY($1::uuid[])",
        [uuid.UUID(str(wanted["id"])), uuid.UUID(str(declined["id"]))],
    )
    assert [(str(c["member_id"]), c["sent_at"] is not None) for c in claims] == [(wanted["id"], True)]


async def test_upcoming_birthdays_for_admins(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, orgs: dict[str, uuid.UUID], pool: asyncpg.Pool
) -> None:
    today: dt.date = await admin_conn.fetchval("SELECT orglife_today()")
    found = data(
        await gql(
            "query($from: Date!) { politicalBirthdays(from: $from) { memberId name on years optedOut } }",
            {"from": today.isoformat()},
            login="street-admin",
        ),
        "politicalBirthdays",
    )
    assert any(b["name"] == "张建国" and b["on"] == today.isoformat() and b["years"] == 10 for b in found)  # type: ignore[index, union-attr]
    await run_once(pool, sender=LogSender())  # the development sink takes them too
