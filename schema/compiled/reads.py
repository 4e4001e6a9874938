"""Compiled reads: a plan cache in front of the interpreter, and the one statement per request.

A request (document text, operation name, the caller's role set) whose plan is cached skips
parsing, validation and the field walk: its variables are coerced and checked as the
interpreter checks them, its binders compute the parameters, and one statement on the app
role's pool returns the whole response body, which goes out as PostgreSQL wrote it.

A plan is made only after the interpreter has answered the same document without errors for
the same role set: so the document has passed validation and every limit (depth, aliases,
cost, tokens; a variable ``first`` counts at the maximum page size, so a valid document stays
valid whatever its variables), and the first answer of any document is the interpreter's.
Whatever a request would make the interpreter answer with an error (a variable that does not
coerce or fails the input checks, a ``first`` out of range, a foreign cursor, a missing row)
makes this answer None, and the interpreter answers instead.

The cache is keyed by the role set, not the account: permissions are Casbin's answers for
roles, which ``policies/`` grant in every tenant alike, so a role change makes another key.
It is bounded by entries and by bytes of document and SQL.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import asyncpg
from graphql import GraphQLError, GraphQLSchema, parse
from graphql.execution.values import get_variable_values

from schema.compiled.compiler import NotCompiled, Plan, compile_plan
from schema.compiled.mapping import Mappings
from schema.scalars import strings_in, text_problem
from services.core.db import without_reset
from services.core.errors import DomainError
from services.core.principal import Principal
from services.core.settings import Settings

PlanKey = tuple[Hashable, ...]


def plan_key(query: str, operation_name: str | None, principal: Principal) -> PlanKey:
    """What a plan is made for: the document, the operation and the caller's role set."""
    return (query, operation_name, principal.roles, principal.is_partner, principal.api_key_id is not None)


@dataclass(slots=True)
class Figures:
    """What the compiled path did in this process (tests and the benchmark read them)."""

    answered: int = 0
    fell_back: int = 0
    compiled: int = 0
    not_compiled: int = 0
    last_compile_ms: float | None = None
    total_compile_ms: float = 0.0


class PlanCache:
    """Plans (or None: not compilable) by key, least recently used first out."""

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[PlanKey, tuple[Plan | None, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: PlanKey) -> tuple[bool, Plan | None]:
        found = self._entries.get(key)
        if found is None:
            return False, None
        self._entries.move_to_end(key)
        return True, found[0]

    def put(self, key: PlanKey, plan: Plan | None) -> None:
        size = len(cast(str, key[0])) + (plan.size if plan else 0)
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        self._entries[key] = (plan, size)
        self.bytes += size
        while self._entries and (len(self._entries) > self.max_entries or self.bytes > self.max_bytes):
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped


class CompiledReads:
    """The compiled path of one schema (one per process)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        mappings: Mappings,
        settings: Settings,
        *,
        max_entries: int = 1024,
        max_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.schema = schema
        self.mappings = mappings
        self.settings = settings
        self.enabled = settings.compiled_reads
        self.plans = PlanCache(max_entries=max_entries, max_bytes=max_bytes)
        self.figures = Figures()

    def cached(
        self, query: str, operation_name: str | None, principal: Principal
    ) -> tuple[bool, Plan | None]:
        """(whether this document was seen for this role set, its plan if it has one)."""
        return self.plans.get(plan_key(query, operation_name, principal))

    def learn(
        self,
        query: str,
        operation_name: str | None,
        principal: Principal,
        allows: Callable[[str, str], bool],
    ) -> Plan | None:
        """Compile a document the interpreter has just answered without errors."""
        started = time.perf_counter()
        try:
            plan: Plan | None = compile_plan(
                self.schema, self.mappings, self.settings, parse(query), operation_name, allows
            )
        except NotCompiled:
            plan = None
            self.figures.not_compiled += 1
        else:
            self.figures.compiled += 1
            spent = (time.perf_counter() - started) * 1000
            self.figures.last_compile_ms = spent
            self.figures.total_compile_ms += spent
        self.plans.put(plan_key(query, operation_name, principal), plan)
        return plan

    def parameters(self, plan: Plan, variables: Mapping[str, Any], principal: Principal) -> list[Any] | None:
        """The statement's parameters, or None when the interpreter would answer an error."""
        for value in variables.values():
            for _, text in strings_in(value):
                if text_problem(text) is not None:
                    return None
        coerced = get_variable_values(self.schema, plan.variable_definitions, dict(variables))
        if isinstance(coerced, list):
            return None
        params: list[Any] = [str(principal.tenant_id), str(principal.account_id or "")]
        try:
            for binder in plan.binders:
                params.extend(binder(coerced, principal))
        except (DomainError, GraphQLError, ValueError, TypeError):
            return None
        return params

    async def answer(
        self, plan: Plan, variables: Mapping[str, Any], principal: Principal, pool: asyncpg.Pool
    ) -> bytes | None:
        """The response body, as PostgreSQL wrote it; None: the interpreter answers."""
        params = self.parameters(plan, variables, principal)
        if params is None:
            self.figures.fell_back += 1
            return None
        async with pool.acquire() as conn:
            # The tenant is set for the statement's own transaction: nothing to reset after.
            body: bytes | None = await conn.fetchval(plan.sql, *params)
            without_reset(conn)
        if body is None:
            self.figures.fell_back += 1
            return None
        self.figures.answered += 1
        return body
