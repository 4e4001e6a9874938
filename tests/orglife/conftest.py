"""Helpers for the organisational-life tests: the demo loaded, organisations, the hand-over consumer."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.core.settings import Settings
from services.domain import Platform
from services.events.consumer import EventConsumer
from services.orglife.demo import seed_orglife
from services.orglife.handover import SERVICE
from tests.support.organizations import org_id

GARDEN, RIVERSIDE, STREET = "花园社区党委", "滨河社区党支部", "东城街道党工委"
OTHER_STREET = "西湖街道党工委"

MEMBER_FIELDS = (
    "id organizationId name joinedOn status fullMemberOn phone leftOn history { organizationId fromOn toOn }"
)
REGISTER = f"""
mutation($input: RegisterMemberInput!) {{ registerMember(input: $input) {{ member {{ {MEMBER_FIELDS} }} }} }}
"""
MEMBER = f"query($id: ID!) {{ member(id: $id) {{ {MEMBER_FIELDS} }} }}"
TRANSFER_FIELDS = """id status direction memberId memberName fromOrganizationId toOrganizationId toTenant
rejectionReason acceptedOn originTenant originOrganization letterNumber"""
REQUEST = f"""
mutation($input: RequestTransferInput!) {{ requestTransfer(input: $input) {{ transfer {{ {TRANSFER_FIELDS} }} }} }}
"""
APPROVE = f"""
mutation($input: ApproveTransferOutInput!) {{ approveTransferOut(input: $input) {{ transfer {{ {TRANSFER_FIELDS} }} }} }}
"""
ACCEPT = f"""
mutation($input: AcceptTransferInput!) {{ acceptTransfer(input: $input) {{ transfer {{ {TRANSFER_FIELDS} }} }} }}
"""
TRANSFERS = f"""
query($filter: TransferFilter) {{ transfers(filter: $filter, first: 50) {{ totalCount edges {{ node {{ {TRANSFER_FIELDS} }} }} }} }}
"""


def data(body: dict[str, object], *path: str) -> dict[str, object]:
    assert body.get("errors") is None, body
    node: object = body["data"]
    for key in path:
        node = node[key]  # type: ignore[index]
    return node  # type: ignore[return-value]


@pytest.fixture
async def orgs(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, uuid.UUID]:
    await seed_orglife(admin_conn)
    return {
        "garden": await org_id(admin_conn, demo["demo"], GARDEN),
        "riverside": await org_id(admin_conn, demo["demo"], RIVERSIDE),
        "street": await org_id(admin_conn, demo["demo"], STREET),
        "other_street": await org_id(admin_conn, demo["other"], OTHER_STREET),
    }


@pytest.fixture
async def handover(pool: asyncpg.Pool, settings: Settings) -> AsyncIterator[None]:
    """The ``orglife-transfers`` consumer group running beside the test server."""
    consumer = EventConsumer(
        pool=pool,
        settings=settings,
        registry=Platform.default().registry(),
        service=SERVICE,
        session_timeout_ms=2000,
        poll_timeout_ms=200,
        retry_backoff=0.01,
        max_backoff=0.5,
        metadata_max_age_ms=1000,
        fetch_max_wait_ms=100,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, 20)
