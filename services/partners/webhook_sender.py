"""The ``webhook-sender`` job: sends due deliveries, retries with backoff, dead-letters, disables.

Per (endpoint, aggregate) only the oldest pending delivery is ever leased
(``webhook_lease_due``), so event N+1 of an aggregate reaches an endpoint only after event N
succeeded or was dead-lettered. A failed send is retried after an exponentially growing
delay with jitter (so that a recovering endpoint is not hit by every sender at once) until
``retry_for_seconds`` after the delivery was recorded; then it is dead. An endpoint whose
attempts failed ``disable_after_failures`` times in a row is disabled, and the admins hear
of it through the activity feed (``webhook_endpoint.disabled.v1``).

Before each send the event's read rule is applied to the endpoint's key as it stands (the
one rule of ``services.events.visibility``, as for the feed and the live stream): what the
key could not read by query is withheld, never sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, cast
from urllib.parse import urlsplit

import asyncpg
import httpx
import orjson

from services.core.authz import Authorizer
from services.core.backoff import Backoff, wait_or_stop
from services.core.db import app_dsn, create_pool
from services.core.principal import Principal
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.directory.reads import event_reader
from services.events.catalog import EventCatalog
from services.events.changes import SystemActor
from services.events.envelope import Envelope, EnvelopeError
from services.partners.webhook_config import WebhookConfig
from services.partners.webhook_signing import request_parts
from services.partners.webhook_urls import AddressRefused, Target, resolve
from services.partners.webhooks import set_enabled, url_rules

log = logging.getLogger(__name__)

JOB = "webhook-sender"
PRUNE_EVERY_SECONDS = 600.0

_HEAD = """
SELECT d.id, d.tenant_id, d.envelope, d.attempts, e.id AS endpoint_id, e.url, e.mode, e.secret,
       CASE WHEN e.previous_secret_until > now() THEN e.previous_secret END AS previous_secret,
       k.id AS api_key_id, k.account_id, k.revoked_at
  FROM webhook_deliveries d
  JOIN webhook_endpoints e ON e.id = d.endpoint_id
  JOIN api_keys k ON k.id = e.api_key_id
 WHERE d.id = $1 AND d.status = 'PENDING'
"""


class WebhookSender:
    def __init__(
        self, *, pool: asyncpg.Pool, catalog: EventCatalog, authorizer: Authorizer, config: WebhookConfig
    ) -> None:
        self._pool = pool
        self._catalog = catalog
        self._authorizer = authorizer
        self._config = config
        self._lease_seconds = config.timeout_seconds * 2 + 5
        self._client = httpx.AsyncClient(
            follow_redirects=False,  # a redirect could lead to an address the guard never saw
            trust_env=False,  # no proxy from the environment: the checked address is the one reached
            timeout=httpx.Timeout(config.timeout_seconds),
            limits=httpx.Limits(
                max_connections=config.concurrency, max_keepalive_connections=config.concurrency
            ),
        )

    @property
    def authorizer(self) -> Authorizer:
        """The role cache the read rules are applied with."""
        return self._authorizer

    async def close(self) -> None:
        await self._client.aclose()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; a broken database connection is waited out."""
        backoff = Backoff(cap=30.0)
        while not stop.is_set():
            try:
                await self._run(stop)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("%s: database unavailable, retrying: %r", JOB, exc)
                await wait_or_stop(stop, backoff.next_delay())

    async def _run(self, stop: asyncio.Event) -> None:
        wake = asyncio.Event()
        inflight: set[asyncio.Task[None]] = set()
        pruned_at = 0.0
        async with self._pool.acquire() as listener:

            def woken(*_: object) -> None:
                wake.set()

            await listener.add_listener("webhook_due", woken)
            try:
                while not stop.is_set():
                    if time.monotonic() - pruned_at > PRUNE_EVERY_SECONDS:
                        await self._pool.execute("SELECT webhook_prune($1)", self._config.keep_log_seconds)
                        pruned_at = time.monotonic()
                    free = self._config.concurrency - len(inflight)
                    leased: list[asyncpg.Record] = []
                    if free > 0:
                        wake.clear()  # before leasing: a notification from now on is not lost
                        leased = await self._pool.fetch(
                            "SELECT id, tenant_id FROM webhook_lease_due($1, $2)",
                            min(free, self._config.batch),
                            self._lease_seconds,
                        )
                        for row in leased:
                            task = asyncio.create_task(self._deliver(row["id"], row["tenant_id"]))
                            inflight.add(task)
                            task.add_done_callback(inflight.discard)
                    if leased and len(inflight) < self._config.concurrency:
                        continue
                    await _first_of([*inflight], [wake, stop], within=self._config.poll_seconds)
            finally:
                with contextlib.suppress(Exception):
                    await listener.remove_listener("webhook_due", woken)
                if inflight:
                    # Unfinished sends keep their lease and are sent again once it ends.
                    _, pending = await asyncio.wait(inflight, timeout=2.0)
                    for task in pending:
                        task.cancel()

    async def _deliver(self, delivery_id: uuid.UUID, tenant_id: uuid.UUID) -> None:
        try:
            await self._deliver_one(delivery_id, tenant_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The lease runs out and the delivery is tried again; one bad row stops nothing else.
            log.exception("%s: delivery %s failed unexpectedly", JOB, delivery_id)

    async def _deliver_one(self, delivery_id: uuid.UUID, tenant_id: uuid.UUID) -> None:
        async with self._tenant(tenant_id) as conn:
            head = await conn.fetchrow(_HEAD, delivery_id)
            rules = await url_rules(conn)
        if head is None:
            return
        # Outside any transaction: a role reload takes a connection of its own, and a send
        # holding one while waiting for another could starve a small pool.
        roles = (
            await self._authorizer.roles_of(self._pool, head["account_id"], tenant_id)
            if head["revoked_at"] is None
            else frozenset[str]()
        )
        async with self._tenant(tenant_id) as conn:
            if not await self._key_may_read(conn, head, roles):
                await conn.execute(
                    "UPDATE webhook_deliveries SET status = 'WITHHELD', finished_at = now(),"
                    " leased_until = NULL"
                    " WHERE id = $1",
                    delivery_id,
                )
                return
        secrets = [bytes(head["secret"])] + (
            [bytes(head["previous_secret"])] if head["previous_secret"] else []
        )
        headers, body = request_parts(
            cast(dict[str, Any], head["envelope"]),
            mode=head["mode"],
            secrets_in_use=secrets,
            timestamp=int(time.time()),
        )
        started = time.perf_counter()
        code: int | None = None
        error: str | None = None
        try:
            target = await resolve(urlsplit(head["url"]), rules)
            code = await self._post(target, headers, body)
            if not 200 <= code < 300:
                error = f"answered {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
        except AddressRefused as exc:
            error = str(exc)
        except TimeoutError:
            error = f"no complete answer within {self._config.timeout_seconds:g} s"
        except (httpx.HTTPError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        duration_ms = (time.perf_counter() - started) * 1000
        request = {"url": head["url"], "headers": headers, "body": body.decode()}
        await self._record(head, request, code, duration_ms, error)

    async def _post(self, target: Target, headers: dict[str, str], body: bytes) -> int:
        """POST to the checked address; the answer is read up to the bound, then cut off."""
        netloc = target.host if target.url.port is None else f"{target.host}:{target.port}"
        extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
        async with asyncio.timeout(self._config.timeout_seconds):
            async with self._client.stream(
                "POST",
                target.pinned_url(),
                content=body,
                headers={**headers, "host": netloc},
                extensions=extensions,
            ) as response:
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= self._config.max_response_bytes:
                        break
                return response.status_code

    async def _key_may_read(
        self, conn: asyncpg.Connection, head: asyncpg.Record, roles: frozenset[str]
    ) -> bool:
        if head["revoked_at"] is not None or not roles:
            return False
        try:
            event = self._catalog.decode(Envelope.from_dict(head["envelope"]))
        except (EnvelopeError, TypeError, ValueError):
            return False
        if event is None:
            return False  # a type without a read rule is never pushed
        account_id, tenant_id = head["account_id"], head["tenant_id"]
        principal = Principal(
            account_id=account_id,
            login="",
            tenant_id=tenant_id,
            tenant_slug="",
            roles=roles,
            organization_ids=self._authorizer.organizations(account_id, tenant_id),
            managed_organization_ids=self._authorizer.managed_organizations(account_id, tenant_id),
            api_key_id=head["api_key_id"],
        )
        reader = await event_reader(
            conn,
            principal=principal,
            allows=lambda obj, act: self._authorizer.allows(account_id, tenant_id, obj, act),
            permissions=self._catalog.permissions(),
        )
        return reader.admits(event.audience())

    async def _record(
        self,
        head: asyncpg.Record,
        request: dict[str, Any],
        code: int | None,
        duration_ms: float,
        error: str | None,
    ) -> None:
        attempt = head["attempts"] + 1
        config = self._config
        async with self._tenant(head["tenant_id"]) as conn:
            await conn.execute(
                "INSERT INTO webhook_attempts (tenant_id, delivery_id, attempt, request, response_code,"
                " duration_ms, error) VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7)",
                head["tenant_id"],
                head["id"],
                attempt,
                orjson.dumps(request).decode(),
                code,
                duration_ms,
                error,
            )
            if error is None:
                await conn.execute(
                    "UPDATE webhook_deliveries SET status = 'SUCCEEDED', attempts = $2,"
                    " last_response_code = $3,"
                    " finished_at = now(), leased_until = NULL WHERE id = $1",
                    head["id"],
                    attempt,
                    code,
                )
                await conn.execute(
                    "UPDATE webhook_endpoints SET consecutive_failures = 0"
                    " WHERE id = $1 AND consecutive_failures > 0",
                    head["endpoint_id"],
                )
                return
            step = min(config.backoff_cap_seconds, config.backoff_base_seconds * 2 ** (attempt - 1))
            delay = step / 2 + random.uniform(0, step / 2)  # noqa: S311  # jitter, not a secret
            await conn.execute(
                "UPDATE webhook_deliveries SET attempts = $2, last_response_code = $3, leased_until = NULL,"
                " status = CASE WHEN created_at + make_interval(secs => $4) <= now()"
                " THEN 'DEAD' ELSE 'PENDING' END,"
                " finished_at = CASE WHEN created_at + make_interval(secs => $4) <= now() THEN now() END,"
                " next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1",
                head["id"],
                attempt,
                code,
                config.retry_for_seconds,
                delay,
            )
            failures = await conn.fetchval(
                "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 WHERE id = $1"
                " RETURNING CASE WHEN enabled THEN consecutive_failures END",
                head["endpoint_id"],
            )
            if failures is not None and failures >= config.disable_after_failures:
                await set_enabled(
                    conn,
                    actor=SystemActor(tenant_id=head["tenant_id"], login=JOB),
                    endpoint_id=head["endpoint_id"],
                    enabled=False,
                    reason=f"{failures} attempts in a row failed; last: {error}",
                )

    @contextlib.asynccontextmanager
    async def _tenant(self, tenant_id: uuid.UUID) -> Any:
        async with self._pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)
            await set_scope(conn, tenant_id=tenant_id)
            yield conn


async def _first_of(tasks: list[asyncio.Task[None]], events: list[asyncio.Event], *, within: float) -> None:
    """Wait until a task ends, an event is set, or ``within`` seconds pass."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait([*tasks, *waiters], timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


@contextlib.asynccontextmanager
async def webhook_sender(
    settings: Settings, *, config: WebhookConfig | None = None
) -> AsyncIterator[WebhookSender]:
    """A sender with its own pool and role cache; the cache follows role changes as they are
    made (as the gateway's does), so a revoked role stops deliveries at once, not after
    ``ROLE_CACHE_TTL_SECONDS``. Everything is closed on the way out."""
    from services.domain import Platform  # the domain list imports this module's manifest

    pool = await create_pool(settings)
    authorizer = Authorizer(role_cache_ttl_seconds=settings.role_cache_ttl_seconds)
    sender = WebhookSender(
        pool=pool,
        catalog=Platform.default().catalog,
        authorizer=authorizer,
        config=config or WebhookConfig.from_env(),
    )
    await authorizer.start_listening(app_dsn(settings))
    try:
        yield sender
    finally:
        await authorizer.stop_listening()
        await sender.close()
        await pool.close()


async def run_webhook_sender(
    settings: Settings, stop: asyncio.Event, *, config: WebhookConfig | None = None
) -> None:
    """The job: one sender (``webhook_sender``) until ``stop``."""
    async with webhook_sender(settings, config=config) as sender:
        await sender.run(stop)
