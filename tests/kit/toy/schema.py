"""The toy domain's GraphQL root types."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.permissions import requires
from tests.kit.toy import handlers, waves


@strawberry.type
class Query:
    @strawberry.field(
        description="Waves the toy consumer heard (玩具).", extensions=requires("event", "subscribe")
    )
    def toy_waves(self) -> list[str]:
        return list(handlers.HEARD)


@strawberry.input
class ToyWaveInput:
    message: str


@strawberry.type
class ToyWavePayload:
    id: str


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Wave (玩具).", extensions=requires("event", "subscribe"))
    async def toy_wave(self, info: Info, input: ToyWaveInput) -> ToyWavePayload:
        async with info.context.db() as conn:
            return ToyWavePayload(
                id=await waves.wave(conn, actor=info.context.principal, message=input.message)
            )
