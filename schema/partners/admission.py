"""Admission of every operation (HTTP and WebSocket) before it runs.

- ``extensions.persistedQuery`` (Apollo APQ): a hash alone runs the API key's persisted
  operation of that hash; a hash with text must match it.
- A partner key's request is charged to its buckets (requests and cost per minute) in one
  database call; a bound key (or any key of an allow-list-only tenant) runs only its list.
- Over a limit: ``RATE_LIMITED`` (HTTP 429 with ``Retry-After``); every partner response over
  HTTP carries the ``RateLimit-*`` headers.

A text document is charged after validation, when its cost is known; a persisted operation
before parsing, with the cost recorded at registration. Either way one call per request, but
for a key this process has just seen refused (``services.partners.admission.Refusals``):
over HTTP the gateway refuses that key's credential before authenticating it
(``refused_before_authentication``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions.base_extension import SchemaExtension

from schema.context import Context
from schema.limits import operation_cost
from services.core.metrics import PARTNER_REFUSED_EARLY
from services.partners.admission import Admission, Refusals, Verdict, admit_or_refuse
from services.partners.gate import TURN
from services.partners.operations import document_hash

GATE_WAIT_SECONDS = 2.0
"""The longest a request waits at its credential's gate for earlier ones' admissions; then it
goes on by itself (a stalled admission never stalls the key)."""

MAX_EXTENSIONS_BYTES = 2048
"""A request's ``extensions`` hold a hash and little else; anything larger is refused."""

_HEX = frozenset("0123456789abcdef")


def _refusal(message: str, code: str, **extra: object) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extra})


def persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    """The SHA-256 named by ``extensions.persistedQuery``, checked; None when absent."""
    if not extensions:
        return None
    if len(orjson.dumps(extensions)) > MAX_EXTENSIONS_BYTES:
        raise _refusal(f"extensions are limited to {MAX_EXTENSIONS_BYTES} bytes", "EXTENSIONS_TOO_LARGE")
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise _refusal("persistedQuery must be {version: 1, sha256Hash}", "PERSISTED_QUERY_NOT_SUPPORTED")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX:
        raise _refusal("sha256Hash must be 64 lowercase hex digits", "PERSISTED_QUERY_NOT_FOUND")
    return digest


class PartnerAdmission(SchemaExtension):
    """Persisted operations, allow-lists and limits per key, for every operation."""

    admitted = False

    async def on_operation(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        digest = persisted_hash(ctx.operation_extensions)
        context = ctx.context
        if digest is not None and ctx.query is not None and document_hash(ctx.query) != digest:
            raise _refusal("sha256Hash does not match the document sent", "PERSISTED_QUERY_HASH_MISMATCH")
        key_id = _key_of(context)
        if digest is not None and ctx.query is None:
            if key_id is None:
                raise _refusal("persisted operations belong to API keys", "PERSISTED_QUERY_NOT_FOUND")
            admission = await admit_or_refuse(
                context.pool,
                refusals_of(ctx.schema),
                tenant_id=context.principal.tenant_id,
                api_key_id=key_id,
                sha256=digest,
                has_text=False,
                cost=0,
                credential=_credential_of(context),
                stands=_standing(context),
            )
            _answer(context, admission)
            ctx.query = admission.document
            self.admitted = True
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        """Runs after the platform's validation (``BoundedValidation`` comes earlier in the
        list and validates before its ``yield``); a refusal takes the place of its errors,
        which Strawberry answers alike over HTTP and WebSocket."""
        ctx = self.execution_context
        context = ctx.context
        key_id = _key_of(context)
        if key_id is None or self.admitted or ctx.query is None or ctx.graphql_document is None:
            yield
            return
        # A refused document runs nothing: it is charged as a request, not by its cost (which
        # for a document over the limits may be any size).
        cost = 0
        if not ctx.pre_execution_errors:
            cost = operation_cost(
                ctx.schema._schema,
                ctx.graphql_document,
                ctx.operation_name,
                context.settings.limits.max_page_size,
            )
        admission = await admit_or_refuse(
            context.pool,
            refusals_of(ctx.schema),
            tenant_id=context.principal.tenant_id,
            api_key_id=key_id,
            sha256=document_hash(ctx.query),
            has_text=True,
            cost=cost,
            credential=_credential_of(context),
            stands=_standing(context),
        )
        try:
            _answer(context, admission)
        except GraphQLError as refusal:
            ctx.pre_execution_errors = [refusal]
        yield


def refusals_of(schema: Any) -> Refusals:
    """The process's refused keys: held by the schema, which the app builds once (as it holds
    its compiled reads), so every request of the process shares them."""
    found: Refusals | None = getattr(schema, "partner_refusals", None)
    if found is None:
        settings = schema.settings
        found = schema.partner_refusals = Refusals(
            hold_seconds=settings.rate_limit_hold_ms / 1000, max_held=settings.rate_limit_max_held
        )
    return found


def _standing(context: Context) -> Callable[[], bool]:
    """Whether the caller's key still stands: its account holds a role in the role cache,
    which a revocation (dropping the key's partner role) empties when the process hears of it."""
    authorizer, principal = context.authorizer, context.principal
    return lambda: bool(authorizer.roles(principal.account_id, principal.tenant_id))


def credential_digest(headers: Mapping[str, str]) -> bytes | None:
    """SHA-256 of the API key a request presents in its headers, as ``authenticate`` reads
    it (``X-Api-Key``, else ``Authorization: ApiKey …``); None without one."""
    api_key = headers.get("x-api-key")
    if not api_key:
        scheme, _, credential = (headers.get("authorization") or "").partition(" ")
        api_key = credential if scheme.lower() == "apikey" else None
    if not api_key or not api_key.strip():
        return None
    return hashlib.sha256(api_key.strip().encode()).digest()


def _credential_of(context: Context) -> bytes | None:
    """The digest of the credential an HTTP request was authenticated by (a WebSocket's is
    in its connection message, not its headers: None)."""
    request = context.request
    return credential_digest(request.headers) if isinstance(request, Request) else None


@asynccontextmanager
async def refused_before_authentication(
    schema: Any, headers: Mapping[str, str]
) -> AsyncIterator[Response | None]:
    """429 for a request whose API key this process holds refused (as the extension would
    answer it, headers included), once held (``Refusals.hold``); None to go on as usual.

    A request that goes on passes its credential's gate (``services.partners.gate``) first:
    at most as many of a credential's requests await admission at once as its key has left.
    A request that waited there while the key was refused takes that refusal instead."""
    credential = credential_digest(headers)
    if credential is None:
        yield None
        return
    refusals = refusals_of(schema)
    held = False
    while True:
        admission = refusals.refusal_of_credential(credential)
        if admission is not None and held:
            PARTNER_REFUSED_EARLY.inc()
            yield _too_many(admission)
            return
        if admission is not None:
            await refusals.hold()
            held = True
            continue
        turn = await refusals.gates.of(credential).enter(
            lambda: refusals.refusal_of_credential(credential) is not None, within=GATE_WAIT_SECONDS
        )
        if turn is None:
            continue  # refused while it waited: held, then answered 429
        token = TURN.set(turn)
        try:
            yield None
        finally:
            TURN.reset(token)
            await turn.end()
        return


def _too_many(admission: Admission) -> Response:
    """The 429 answer of a remembered refusal, as the extension would give it."""
    probe = Response()
    try:
        _limit_headers(probe, admission)
    except GraphQLError as refusal:
        body = orjson.dumps({"data": None, "errors": [refusal.formatted]})
        limits = {k: v for k, v in probe.headers.items() if k.startswith(("ratelimit-", "retry-after"))}
        return Response(body, status_code=429, headers=limits, media_type="application/json")
    raise AssertionError("a remembered refusal is always LIMITED")


def _key_of(context: object) -> Any:
    """The caller's API key id, or None for people and anonymous callers."""
    if not isinstance(context, Context) or context.auth_error is not None:
        return None
    principal = context.principal_or_none
    return None if principal is None else principal.api_key_id


def _answer(context: Context, admission: Admission) -> None:
    """Headers for the caller; an error for a refusal."""
    response = context.response
    http = isinstance(context.request, Request) and isinstance(response, Response)
    if admission.verdict is Verdict.NOT_FOUND:
        raise _refusal("no persisted operation of this key has that hash", "PERSISTED_QUERY_NOT_FOUND")
    if admission.verdict is Verdict.NOT_ALLOWED:
        raise _refusal(
            "this key runs only its persisted operations; this document is not one of them",
            "PERSISTED_QUERY_NOT_ALLOWED",
        )
    _limit_headers(response if http and isinstance(response, Response) else None, admission)


def _limit_headers(response: Response | None, admission: Admission) -> None:
    """The ``RateLimit-*`` headers (and 429 with ``Retry-After``) on an HTTP response; the
    refusal's error for a LIMITED admission."""
    limit = admission.limit or 0
    reset = math.ceil(admission.reset_seconds or 0)
    if response is not None:
        response.headers["RateLimit-Limit"] = str(limit)
        response.headers["RateLimit-Remaining"] = str(max(0, admission.remaining or 0))
        response.headers["RateLimit-Reset"] = str(reset)
    if admission.verdict is Verdict.LIMITED:
        retry_after = max(1, math.ceil(admission.retry_after or 0))
        if response is not None:
            response.headers["Retry-After"] = str(retry_after)
            response.status_code = 429
        raise _refusal(
            f"this key is over its limits; retry after {retry_after} s",
            "RATE_LIMITED",
            retryAfter=retry_after,
        )
