"""Platform-level fields that touch no tenant data."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncGenerator
from importlib.metadata import version

import strawberry

from services.core.errors import BadUserInput


@strawberry.type
class SystemQuery:
    @strawberry.field(description="API version of the platform (平台接口版本).")
    def api_version(self) -> str:
        return version("alliance-platform")


@strawberry.type
class SystemSubscription:
    @strawberry.subscription(
        description=(
            "Server clock ticks (心跳), one a second, to check a subscription connection. `count` is 1–60."
        )
    )
    async def heartbeat(self, count: int = 3) -> AsyncGenerator[dt.datetime, None]:
        if not 1 <= count <= 60:
            raise BadUserInput("count must be between 1 and 60", field="count")
        for index in range(count):
            if index:
                await asyncio.sleep(1)
            yield dt.datetime.now(dt.UTC)
