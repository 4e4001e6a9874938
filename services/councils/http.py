"""The councils domain's HTTP routes: the calendar feed (no login; the URL's secret opens it)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from services.core.tenancy import set_scope
from services.councils.feeds import FEED_PATH, council_calendar, feed_tenant


async def calendar_feed(request: Request) -> Response:
    """GET a council's meetings as text/calendar; 404 for an unknown, revoked or wrong secret."""
    try:
        feed_id = uuid.UUID(request.path_params["feed_id"])
    except ValueError:
        return PlainTextResponse("Not Found", status_code=404)
    secret = str(request.path_params["secret"])
    pool = request.app.state.alliance.pool
    async with pool.acquire() as conn, conn.transaction():
        found = await feed_tenant(conn, feed_id=feed_id, secret=secret)
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        tenant_id, council_id = found
        await set_scope(conn, tenant_id=tenant_id)
        document = await council_calendar(conn, council_id=council_id)
    return Response(
        document,
        media_type="text/calendar; charset=utf-8",
        headers={"cache-control": "private, max-age=300", "referrer-policy": "no-referrer"},
    )


ROUTES = [Route(FEED_PATH, calendar_feed, methods=["GET"])]
