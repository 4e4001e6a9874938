"""Replaying GraphQL documents in-process on a chosen execution path, inside a transaction
that is rolled back, so mutations can be run twice from the same state."""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
from graphql import GraphQLSchema, OperationDefinitionNode, OperationType, parse, validate
from graphql.error import GraphQLSyntaxError
from starlette.requests import Request

from schema.context import Context
from services.core.auth import authenticate
from services.gateway.state import AppState


class OneConnection:
    """A stand-in for the pool: every acquire hands out the same connection (whose
    transactions therefore become savepoints of the caller's transaction)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    def acquire(self) -> _Acquired:
        return _Acquired(self._conn)

    async def release(self, conn: object) -> None:
        """Nothing to give back: the connection stays the caller's."""


class _Acquired:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    def __await__(self) -> Generator[Any, None, asyncpg.Connection]:
        return self._get().__await__()

    async def _get(self) -> asyncpg.Connection:
        return self._conn

    async def __aenter__(self) -> asyncpg.Connection:
        return self._conn

    async def __aexit__(self, *exc: object) -> None:
        return None


async def context_for(
    state: AppState, conn: asyncpg.Connection, app: Any, headers: dict[str, str]
) -> Context:
    """The context the gateway would build for a request with ``headers``, reading and
    writing through ``conn``."""
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": [], "app": app})
    context = Context(
        request=request,
        response=None,
        settings=state.settings,
        pool=OneConnection(conn),  # type: ignore[arg-type]
        broker=state.broker,
        authorizer=state.authorizer,
        live_events=state.live_events,
    )
    try:
        context.principal_or_none = await authenticate(
            pool=state.pool,
            authorizer=state.authorizer,
            settings=state.settings,
            authorization=headers.get("authorization"),
            api_key=headers.get("x-api-key"),
            tenant_header=headers.get("x-tenant"),
        )
    except Exception as exc:  # a bad credential: raised by the first permission check, as live
        context.auth_error = exc  # type: ignore[assignment]
    return context


@contextlib.asynccontextmanager
async def rolled_back(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """A savepoint (or transaction) for the block, always rolled back."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        yield
    finally:
        await transaction.rollback()


def document_strings(root: Path) -> Iterator[tuple[Path, str]]:
    """Every string constant in the test modules under ``root`` (GraphQL documents among them)."""
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value:
                yield path, node.value


def runnable_documents(schema: GraphQLSchema, root: Path) -> dict[str, Path]:
    """Documents written in the tests that are valid on ``schema``, are a query or a mutation,
    and need no variables: they can be replayed as they stand."""
    found: dict[str, Path] = {}
    for path, text in document_strings(root):
        if not re.match(r"\s*(query|mutation|\{)", text):
            continue
        try:
            document = parse(text)
        except GraphQLSyntaxError:
            continue
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != 1 or operations[0].operation is OperationType.SUBSCRIPTION:
            continue
        if operations[0].variable_definitions or validate(schema, document):
            continue
        found.setdefault(text, path)
    return found
