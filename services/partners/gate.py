"""How many requests of one API key credential go on at once to be admitted, per process (准入闸).

Each request of a partner key is authenticated, parsed and charged an admission in PostgreSQL.
When a key bursts far over its limit, nearly all of those admissions are refusals, and each
would cost the process a key lookup and the GraphQL pipeline first. The gate lets through at
once only as many requests of a credential as PostgreSQL last said its key has left
(``Admission.remaining``, at least one; one for a credential not seen before). The others wait
for those requests' admissions: when one is refused, the refusal is remembered
(``services.partners.admission.Refusals``) and the waiting requests take it before they are
authenticated.

The allowance is an estimate local to the process; PostgreSQL's buckets decide. Too high, it
costs a refusal; too low, a short wait, which the next admission corrects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import ContextVar


class Gate:
    """One credential's gate: its allowance and the requests through it not yet admitted."""

    def __init__(self) -> None:
        self.allowance = 1
        self.in_flight = 0
        self._changed = asyncio.Condition()

    async def enter(self, refused: Callable[[], bool], *, within: float) -> Turn | None:
        """A turn, once fewer than ``allowance`` requests are awaiting admission (or after
        ``within`` seconds, so that a stalled admission never stalls the key); None when
        ``refused()`` holds meanwhile (the request then takes that refusal)."""
        async with self._changed:
            try:
                async with asyncio.timeout(within):
                    await self._changed.wait_for(lambda: refused() or self.in_flight < self.allowance)
            except TimeoutError:
                pass
            if refused():
                return None
            self.in_flight += 1
        return Turn(self)

    async def _leave(self, remaining: int | None) -> None:
        async with self._changed:
            if remaining is not None:
                self.allowance = max(1, remaining)
            self.in_flight -= 1
            self._changed.notify_all()


class Turn:
    """A request's passage through its credential's gate, ended by its admission (or its end)."""

    def __init__(self, gate: Gate) -> None:
        self._gate: Gate | None = gate

    async def admitted(self, remaining: int | None) -> None:
        """The request's admission was decided, with ``remaining`` requests left to the key
        (None when unknown): the next requests may go."""
        gate, self._gate = self._gate, None
        if gate is not None:
            await gate._leave(remaining)

    async def end(self) -> None:
        """The request was answered; a turn not yet ended by an admission ends here."""
        await self.admitted(None)


class Gates:
    """The gates of the credentials this process has seen, by SHA-256 of the credential."""

    MAX = 10_000  # past this many credentials, start afresh (every allowance back to one)

    def __init__(self) -> None:
        self._gates: dict[bytes, Gate] = {}

    def of(self, credential: bytes) -> Gate:
        gate = self._gates.get(credential)
        if gate is None:
            if len(self._gates) >= self.MAX:
                self._gates.clear()
            gate = self._gates[credential] = Gate()
        return gate


TURN: ContextVar[Turn | None] = ContextVar("partner_gate_turn", default=None)
"""The turn of the request being answered, set by the HTTP guard, ended by its admission."""
