"""Admission of one partner request: persisted operation, allow-list and limits, in one call.

Limits hold across gateway replicas because the buckets are PostgreSQL rows
(``partner_admit`` in the migration); a request costs one round trip for all of it.

A refusal is the exception: once PostgreSQL has refused a key for want of requests
(``Refusals``), this process refuses that key again without asking until the Retry-After it
was given. A key bursting far over its limit then costs its process one round trip per
Retry-After, not one per request, and does not queue behind its own bucket's row lock with
every connection of the pool while other keys wait. Admissions are never remembered: each
is charged in PostgreSQL, so the limits hold across replicas.

Over HTTP the refusal is remembered by the credential presented too (its SHA-256), so that
the gateway answers the key's next requests with 429 before authenticating them: a burst
then costs neither the key's lookup nor the GraphQL pipeline. The credential was
authenticated when PostgreSQL refused it; it stands as long as the key's account holds a role
in the process's role cache, so a revoked key (whose partner role goes with it) is asked
again, and answered 401, as soon as the process hears of the revocation.

Such an answer is also held (``Refusals.hold``, about ``RATE_LIMIT_HOLD_MS``) before it is
sent. A client that ignores Retry-After and asks again at once, the usual shape of a runaway
retry loop, then sends one request per hold and connection, rather than as many as the
server's cores can refuse, and other keys keep those cores. A held answer costs a sleeping
coroutine; past ``RATE_LIMIT_MAX_HELD`` of them at once, answers are sent at once. Before a
refusal is remembered, the requests of a burst wait at their credential's gate
(``services.partners.gate``, HTTP) and, over any transport, for the key's admission in flight
(``Refusals.asking``).
"""

from __future__ import annotations

import asyncio
import enum
import random
import time
import uuid
import weakref
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace

import asyncpg

from services.core.metrics import PARTNER_HELD
from services.partners.gate import TURN, Gates


class Verdict(enum.Enum):
    OK = "OK"
    NOT_FOUND = "NOT_FOUND"  # a hash alone, not on the key's list
    NOT_ALLOWED = "NOT_ALLOWED"  # text not on the list of a bound key (or allow-list-only tenant)
    LIMITED = "LIMITED"  # a bucket is short; retry after ``retry_after`` seconds


@dataclass(frozen=True, slots=True)
class Admission:
    verdict: Verdict
    document: str | None  # the persisted operation's text, when it was found by hash
    cost: int | None
    limit: int | None  # the key's burst: the most requests it may send at once
    remaining: int | None
    reset_seconds: float | None  # until the request bucket is full again
    retry_after: float | None


async def admit(
    pool: asyncpg.Pool,
    *,
    tenant_id: uuid.UUID,
    api_key_id: uuid.UUID,
    sha256: str | None,
    has_text: bool,
    cost: int,
) -> Admission:
    """Decide and charge one request of ``api_key_id`` (``cost``: the measured cost of a sent
    text; a persisted operation is charged its recorded cost)."""
    row = await pool.fetchrow(
        "SELECT * FROM partner_admit($1, $2, $3, $4, $5)", tenant_id, api_key_id, sha256, has_text, cost
    )
    assert row is not None  # the function always returns one row
    return Admission(
        verdict=Verdict(row["verdict"]),
        document=row["document"],
        cost=row["cost"],
        limit=row["request_limit"],
        remaining=row["remaining"],
        reset_seconds=row["reset_seconds"],
        retry_after=row["retry_after"],
    )


class Refusals:
    """Keys refused for want of requests, until their Retry-After, in this process.

    Only a request-bucket refusal (no request left) is remembered: no request of any cost can
    pass before the bucket refills. A refusal for cost alone is not, since a cheaper operation
    of the key may still fit. When both buckets are short, Retry-After names the later, and the
    key is refused here until then, as its client was told. A raised limit takes effect on the
    key's next request after that.
    """

    MAX_KEYS = 10_000  # past this many refused keys at once, start afresh (each is asked again)

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        hold_seconds: float = 0.0,
        max_held: int = 0,
    ) -> None:
        self._clock = clock
        self._refused: dict[uuid.UUID, tuple[float, Admission]] = {}
        # A refused credential: its key, and whether the key still stands (its account holds
        # a role).
        self._credentials: dict[bytes, tuple[uuid.UUID, Callable[[], bool]]] = {}
        self.hold_seconds = hold_seconds
        self.max_held = max_held
        self.held = 0  # answers held right now
        # One admission in flight per key: a lock lives while a request holds or awaits it.
        self._asking: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = weakref.WeakValueDictionary()
        # How many requests of each credential go on at once (``services.partners.gate``).
        self.gates = Gates()

    def asking(self, api_key_id: uuid.UUID) -> asyncio.Lock:
        """The key's turn to ask PostgreSQL in this process."""
        lock = self._asking.get(api_key_id)
        if lock is None:
            lock = self._asking[api_key_id] = asyncio.Lock()
        return lock

    def remember(
        self,
        api_key_id: uuid.UUID,
        admission: Admission,
        credential: bytes | None = None,
        stands: Callable[[], bool] = lambda: True,
    ) -> None:
        """Remember a refusal for want of requests (of the key, and of the credential's
        digest when the request presented one in its headers, while ``stands()``)."""
        if admission.verdict is not Verdict.LIMITED or admission.remaining != 0:
            return
        if not admission.retry_after or admission.retry_after <= 0:
            return
        if len(self._refused) >= self.MAX_KEYS or len(self._credentials) >= self.MAX_KEYS:
            self._refused.clear()
            self._credentials.clear()
        self._refused[api_key_id] = (self._clock(), admission)
        if credential is not None:
            self._credentials[credential] = (api_key_id, stands)

    def refusal_of_credential(self, credential: bytes) -> Admission | None:
        """The refusal of the key a credential (its digest) was authenticated as, if it runs
        and the key still stands (None for a revoked key: it is authenticated again)."""
        found = self._credentials.get(credential)
        if found is None:
            return None
        api_key_id, stands = found
        refused = self.refusal(api_key_id) if stands() else None
        if refused is None:
            with suppress(KeyError):
                del self._credentials[credential]
        return refused

    async def hold(self) -> None:
        """Wait before answering a remembered refusal, between half and all of
        ``hold_seconds`` (at random, so that a burst's requests, refused together, do not all
        come back together), unless ``max_held`` answers are already waiting."""
        seconds = self.hold_seconds * random.uniform(0.5, 1.0)  # noqa: S311 - spreading, not secrecy
        if seconds <= 0 or self.held >= self.max_held:
            return
        self.held += 1
        PARTNER_HELD.inc()
        try:
            await asyncio.sleep(seconds)
        finally:
            self.held -= 1
            PARTNER_HELD.dec()

    def refusal(self, api_key_id: uuid.UUID) -> Admission | None:
        """The key's refusal, its times counted down to now; None once its Retry-After is over."""
        found = self._refused.get(api_key_id)
        if found is None:
            return None
        at, admission = found
        elapsed = self._clock() - at
        assert admission.retry_after is not None  # remembered only with one
        if elapsed >= admission.retry_after:
            del self._refused[api_key_id]
            return None
        return replace(
            admission,
            retry_after=admission.retry_after - elapsed,
            reset_seconds=max(0.0, (admission.reset_seconds or 0.0) - elapsed),
        )


async def admit_or_refuse(
    pool: asyncpg.Pool,
    refusals: Refusals,
    *,
    tenant_id: uuid.UUID,
    api_key_id: uuid.UUID,
    sha256: str | None,
    has_text: bool,
    cost: int,
    credential: bytes | None = None,
    stands: Callable[[], bool] = lambda: True,
) -> Admission:
    """``admit``, unless this process already holds a refusal of the key that still runs.

    A key's requests ask PostgreSQL one at a time per process: when a burst's first refusal
    comes back, the requests waiting behind it take it, instead of each holding a pool
    connection while it queues on the key's bucket row (as a burst's first hundred did).
    """
    turn = TURN.get()
    refused = refusals.refusal(api_key_id)
    if refused is None:
        async with refusals.asking(api_key_id):
            refused = refusals.refusal(api_key_id)
            if refused is None:
                refused = await admit(
                    pool,
                    tenant_id=tenant_id,
                    api_key_id=api_key_id,
                    sha256=sha256,
                    has_text=has_text,
                    cost=cost,
                )
                refusals.remember(api_key_id, refused, credential, stands)
    if turn is not None:  # the request's turn at its credential's gate: the next may go
        await turn.admitted(refused.remaining)
    return refused
