"""Session fixtures: one real PostgreSQL and one Kafka-protocol broker per test run.

With ``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS`` set, those servers are used instead
(a fresh database is still created for the run).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import asyncpg
import httpx
import orjson
import pytest
import uvicorn

from services.core.db import create_pool
from services.core.embedded import EmbeddedBroker, free_port, start_postgres, stop_postgres
from services.core.migrations import migrate
from services.core.settings import Settings
from services.gateway.app import create_app
from tests.support.databases import APP_DB_PASSWORD, create_database
from tests.support.writes import WritesNothing


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """A superuser URL for a fresh, migrated database of this test run."""
    external = os.environ.get("DATABASE_URL")
    pgdata: Path | None = None
    if external:
        server_url = external
    else:
        # Not under pytest's numbered temporary folders: a pytest run that starts while this
        # one runs (another checkout, say) may delete those it counts as old, data and all.
        holder = tempfile.TemporaryDirectory(prefix="alliance-test-pg-", ignore_cleanup_errors=True)
        pgdata = Path(holder.name) / "data"
        server_url = start_postgres(pgdata)
    url = asyncio.run(create_database(server_url, "alliance_test"))
    migrate(replace(Settings(), database_url=url, app_db_password=APP_DB_PASSWORD))
    yield url
    if pgdata is not None:
        stop_postgres(pgdata)
        holder.cleanup()


@pytest.fixture(scope="session")
def bootstrap_servers() -> Iterator[str]:
    """A running Kafka-protocol broker."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    broker = EmbeddedBroker()
    broker.start()
    yield broker.bootstrap_servers
    broker.stop()


@pytest.fixture(scope="session")
def settings(admin_url: str, bootstrap_servers: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at the test run's servers."""
    settings = replace(
        Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers}),
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=admin_url,
        app_db_password=APP_DB_PASSWORD,
        kafka_bootstrap_servers=bootstrap_servers,
        kafka_enable_idempotence=bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")),
        jwt_secret="test-secret-" + "x" * 32,
        # The server runs the activity feed's consumer and co-building's (it completes milestones
        # the ledger signs off), as `alliance serve` does; organisational life's tests run their
        # transfer consumer themselves, and background jobs (the ledger's deadlines, the councils'
        # reminders, …) run in the tests that call them, at the moments they choose.
        workers_in_server=("activity", "cobuilding"),
    )
    # The validation budget is wall time; a test process shares two cores with its own servers,
    # relays and consumers, so an ordinary new document can wait its turn past the default.
    # The budget's own tests build servers with a budget of a few milliseconds.
    return replace(settings, limits=replace(settings.limits, validation_budget_ms=10_000))


@pytest.fixture(scope="session")
async def admin_conn(admin_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection (bypasses row-level security): for inspecting, not for the app."""
    conn = await asyncpg.connect(admin_url)
    await conn.set_type_codec(
        "jsonb", encoder=lambda v: orjson.dumps(v).decode(), decoder=orjson.loads, schema="pg_catalog"
    )
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """The app role's pool, as the platform opens it."""
    pool = await create_pool(settings)
    yield pool
    await pool.close()


@pytest.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """An app-role connection inside a transaction that is rolled back after the test."""
    async with pool.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            yield connection
        finally:
            await transaction.rollback()


class RunningServer:
    """A uvicorn server on a loopback port, in this event loop."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            ws="websockets-sansio",
        )
        self.app = config.app
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[RunningServer]:
    """The platform, served over real HTTP for end-to-end tests."""
    running = RunningServer(settings)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def http(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the running server."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
async def demo(admin_conn: asyncpg.Connection, admin_url: str) -> dict[str, uuid.UUID]:
    """The demo data set, loaded once per run; maps tenant slugs to ids."""
    from services.directory.demo import seed_directory

    await seed_directory(admin_conn)
    rows = await admin_conn.fetch("SELECT slug, id FROM alliances")
    return {row["slug"]: row["id"] for row in rows}


class Tokens:
    """Signed tokens for demo logins, as `alliance token` prints them."""

    def __init__(self, settings: Settings, conn: asyncpg.Connection, tenants: dict[str, uuid.UUID]) -> None:
        self.settings = settings
        self.conn = conn
        self.tenants = tenants

    async def __call__(self, login: str, tenant: str = "demo", **overrides: object) -> str:
        from services.core.auth import issue_token
        from services.directory.operations import account_id_for

        tenant_id = self.tenants[tenant]
        account_id = await account_id_for(self.conn, tenant_id=tenant_id, login=login)
        settings = replace(self.settings, **overrides) if overrides else self.settings  # type: ignore[arg-type]
        return issue_token(
            settings, account_id=account_id, login=login, tenant_id=tenant_id, tenant_slug=tenant
        )


@pytest.fixture(scope="session")
def tokens(settings: Settings, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> Tokens:
    return Tokens(settings, admin_conn, demo)


@dataclass(frozen=True)
class SentDocument:
    """One GraphQL request a test sent through ``gql``, as the differential test replays it."""

    query: str
    variables: str  # JSON, so the record is hashable
    login: str | None
    tenant: str
    headers: tuple[tuple[str, str], ...]


class GraphQLClient:
    """Posts GraphQL documents over HTTP and hands back the decoded response; remembers what
    it sent (tests/schema/test_execution_paths.py replays every document on both execution
    paths)."""

    def __init__(
        self, http: httpx.AsyncClient, tokens: Tokens, sent: set[SentDocument] | None = None
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.sent = sent

    async def __call__(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        *,
        login: str | None = None,
        tenant: str = "demo",
        headers: dict[str, str] | None = None,
    ) -> dict[str, object]:
        if self.sent is not None:
            self.sent.add(
                SentDocument(
                    query,
                    orjson.dumps(variables or {}).decode(),
                    login,
                    tenant,
                    tuple(sorted((headers or {}).items())),
                )
            )
        sent = dict(headers or {})
        if login is not None:
            sent["authorization"] = f"Bearer {await self.tokens(login, tenant)}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )
        assert response.status_code in {200, 400}, response.text
        body: dict[str, object] = response.json()
        return body


@pytest.fixture(scope="session")
def sent_documents() -> set[SentDocument]:
    """Every request sent through ``gql`` in this run."""
    return set()


@pytest.fixture
def gql(http: httpx.AsyncClient, tokens: Tokens, sent_documents: set[SentDocument]) -> GraphQLClient:
    return GraphQLClient(http, tokens, sent_documents)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "after_suite: runs after every other test (it uses what they sent)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("after_suite") is not None)


def error_code(body: dict[str, object]) -> str | None:
    """The code of the first error of a GraphQL response (None when there is none)."""
    errors = body.get("errors")
    if not errors:
        return None
    return str(errors[0]["extensions"]["code"])  # type: ignore[index]


@pytest.fixture
def writes_nothing(admin_conn: asyncpg.Connection) -> WritesNothing:
    """``async with writes_nothing(): <a refused request>``: no table changed (see tests/support/writes.py)."""
    return WritesNothing(admin_conn)
