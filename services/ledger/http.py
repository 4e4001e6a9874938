"""The ledger's HTTP route: ``GET /ledger/export.xlsx?year=Y[&organizationId=ID]``.

The workbook of ``alliance ledger export``, for the caller: authenticated as on ``/graphql``
(``Authorization: Bearer …``), allowed what ``ledgerItems`` allows (Casbin ``ledger``/``read``),
and holding only the items the caller may read (an org_admin: its subtree). Another tenant's
organisation is NOT_FOUND (row-level security hides it); one of the caller's tenant outside its
reach is FORBIDDEN. Errors answer as GraphQL-shaped JSON with a code, as ``/graphql`` does.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.core.auth import authenticate
from services.core.errors import BadUserInput, DomainError, Forbidden, Unauthenticated
from services.core.tenancy import tenant_transaction
from services.ledger.access import ReadScope
from services.ledger.export import MEDIA_TYPE, build_workbook, export_rows

EXPORT_PATH = "/ledger/export.xlsx"

_STATUS = {"BAD_USER_INPUT": 400, "UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404}


def _error(exc: DomainError) -> Response:
    extensions: dict[str, Any] = {"code": exc.code}
    if exc.field:
        extensions["field"] = exc.field
    body = orjson.dumps({"errors": [{"message": exc.message, "extensions": extensions}]})
    return Response(body, status_code=_STATUS.get(exc.code, 400), media_type="application/json")


def _year(request: Request) -> int:
    value = request.query_params.get("year", "")
    if not value.isdigit() or len(value) > 4:
        raise BadUserInput("year must be a year such as 2026", field="year")
    return int(value)


def _organization(request: Request) -> uuid.UUID | None:
    value = request.query_params.get("organizationId")
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BadUserInput("organizationId is not an id", field="organizationId") from None


async def export_ledger(request: Request) -> Response:
    """The year's ledger as .xlsx; 401/403/404/400 with a GraphQL-shaped error body."""
    state = request.app.state.alliance
    try:
        principal = await authenticate(
            pool=state.pool,
            authorizer=state.authorizer,
            settings=state.settings,
            authorization=request.headers.get("authorization"),
            api_key=request.headers.get("x-api-key"),
            tenant_header=request.headers.get("x-tenant"),
        )
        if principal is None:
            raise Unauthenticated("authentication required")
        if not state.authorizer.allows(principal.account_id, principal.tenant_id, "ledger", "read"):
            raise Forbidden("your role may not read the ledger")
        year, organization_id = _year(request), _organization(request)
        async with tenant_transaction(state.pool, principal) as conn:
            scope = await ReadScope.of(conn, principal)
            rows = await export_rows(conn, scope=scope, year=year, organization_id=organization_id)
    except DomainError as exc:
        return _error(exc)
    content = await asyncio.to_thread(build_workbook, year, rows)
    return Response(
        content,
        media_type=MEDIA_TYPE,
        headers={
            "content-disposition": f'attachment; filename="ledger-{year}.xlsx"',
            "cache-control": "private, no-store",
        },
    )


ROUTES = [Route(EXPORT_PATH, export_ledger, methods=["GET"])]
