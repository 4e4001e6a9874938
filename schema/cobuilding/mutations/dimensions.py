"""Mutations of the dimension catalogue (共建维度目录)."""

from __future__ import annotations

import strawberry

from schema.cobuilding.inputs import DefineCobuildingDimensionInput, RetireCobuildingDimensionInput
from schema.cobuilding.types import CobuildingDimension
from schema.context import Info
from schema.permissions import requires
from services.cobuilding import dimensions


@strawberry.type
class CobuildingDimensionPayload:
    dimension: CobuildingDimension


@strawberry.type
class DimensionMutation:
    @strawberry.mutation(
        description="Add a co-building dimension, or change the one of that code (定义共建维度).",
        extensions=requires("cobuilding", "configure"),
    )
    async def define_cobuilding_dimension(
        self, info: Info, input: DefineCobuildingDimensionInput
    ) -> CobuildingDimensionPayload:
        async with info.context.db() as conn:
            found = await dimensions.define_dimension(
                conn,
                actor=info.context.principal,
                code=input.code,
                name=input.name,
                description=input.description,
                position=input.position,
            )
        return CobuildingDimensionPayload(dimension=CobuildingDimension.from_model(found))

    @strawberry.mutation(
        description="Retire a dimension; what uses it keeps it (停用共建维度).",
        extensions=requires("cobuilding", "configure"),
    )
    async def retire_cobuilding_dimension(
        self, info: Info, input: RetireCobuildingDimensionInput
    ) -> CobuildingDimensionPayload:
        async with info.context.db() as conn:
            found = await dimensions.retire_dimension(conn, actor=info.context.principal, code=input.code)
        return CobuildingDimensionPayload(dimension=CobuildingDimension.from_model(found))
