"""Live sessions: WebSocket callers re-checked against the database while their socket lasts.

A socket resolves its caller once, at ``connection_init``, and may stay open for hours. Its
credential can lapse meanwhile: the token expires, the API key is revoked, a role is taken
away. Each gateway process therefore re-checks the callers of all its open sockets every
``interval`` seconds, in one query whatever their number (``session_standing``, which reads
the role and key tables themselves, not this process's role cache), and ends each lapsed
session (the socket closes with 4403). A revocation made through any replica thus ends the
sockets on every replica within one tick. Every operation sent over a socket is checked the
same way before it runs.

Sessions keep the caller they were opened with: a role granted later takes effect when the
client connects again, and losing any role or organisation ends the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import asyncpg

from services.core.principal import Principal

log = logging.getLogger(__name__)

CLOSE_LAPSED = 4403
"""The close code of a socket whose caller's credential lapsed (graphql-transport-ws: Forbidden)."""

_STANDING = "SELECT * FROM session_standing($1::uuid[], $2::uuid[], $3::uuid[])"

_Key = tuple[uuid.UUID, uuid.UUID, uuid.UUID | None]


@dataclass(frozen=True, slots=True)
class Standing:
    """What the database grants a caller now."""

    roles: frozenset[str]
    organization_ids: frozenset[uuid.UUID]
    key_active: bool


def _key(principal: Principal) -> _Key:
    return (principal.tenant_id, principal.account_id, principal.api_key_id)


def lapse(
    principal: Principal, expires_at: float | None, standing: Standing | None, now: float
) -> str | None:
    """Why a session may no longer act for ``principal``; None while it still may."""
    if expires_at is not None and expires_at <= now:
        return "token expired"
    if standing is None:
        return "session could not be checked"
    if not standing.key_active:
        return "API key revoked"
    if not principal.roles <= standing.roles or not principal.organization_ids <= standing.organization_ids:
        return "roles changed"
    return None


class Session:
    """One open socket's caller, and how to end the socket."""

    def __init__(
        self, *, principal: Principal, expires_at: float | None, end: Callable[[str], Awaitable[None]]
    ) -> None:
        self.principal = principal
        self.expires_at = expires_at
        self._end = end
        self.ended = False

    async def end(self, reason: str) -> None:
        """Close the socket (once)."""
        if not self.ended:
            self.ended = True
            await self._end(reason)


class SessionWatcher:
    """The open sessions of this process, re-checked every ``interval`` seconds.

    If the database cannot be asked for longer than ``stale_after`` seconds, sessions are
    ended rather than trusted: a revocation made meanwhile would go unseen.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        interval: float = 1.0,
        stale_after: float = 5.0,
        query_timeout: float = 3.0,
    ) -> None:
        self._pool = pool
        self.interval = interval
        self._stale_after = stale_after
        self._query_timeout = query_timeout
        self._sessions: set[Session] = set()
        self._verified_at = time.monotonic()
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0  # periodic checks done

    def open(self, session: Session) -> None:
        self._sessions.add(session)

    def close(self, session: Session) -> None:
        self._sessions.discard(session)

    @property
    def session_count(self) -> int:
        return len(self._sessions)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="session-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def verify(self, session: Session) -> str | None:
        """Check one session now (before an operation runs); the reason it lapsed, if it did."""
        try:
            standing = await self._standing([session.principal])
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("could not check a session: %s", exc)
            return lapse(session.principal, session.expires_at, None, time.time())
        return lapse(
            session.principal, session.expires_at, standing.get(_key(session.principal)), time.time()
        )

    async def sweep(self) -> None:
        """Check every open session in one query and end those that lapsed."""
        sessions = [s for s in self._sessions if not s.ended]
        if not sessions:
            self._verified_at = time.monotonic()
            return
        try:
            standing = await self._standing(s.principal for s in sessions)
            self._verified_at = time.monotonic()
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("could not check open sessions: %s", exc)
            if time.monotonic() - self._verified_at <= self._stale_after:
                return
            standing = {}
        now = time.time()
        ends = []
        for session in sessions:
            reason = lapse(session.principal, session.expires_at, standing.get(_key(session.principal)), now)
            if reason is not None:
                ends.append(session.end(reason))
        if ends:
            await asyncio.gather(*ends, return_exceptions=True)

    async def _standing(self, principals: Iterable[Principal]) -> dict[_Key, Standing]:
        keys = sorted({_key(p) for p in principals}, key=str)
        async with asyncio.timeout(self._query_timeout):
            rows = await self._pool.fetch(
                _STANDING, [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]
            )
        return {
            (row["tenant_id"], row["account_id"], row["api_key_id"]): Standing(
                roles=frozenset(row["roles"]),
                organization_ids=frozenset(row["organization_ids"]),
                key_active=row["key_active"],
            )
            for row in rows
        }

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sweep()
            except Exception:
                # The watcher must outlive any one bad round, or sessions would go unchecked.
                log.exception("session check failed")
            self.rounds += 1
