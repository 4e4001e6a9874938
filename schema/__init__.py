"""The GraphQL layer: one module per domain, composed into one schema by ``build_schema``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.config import StrawberryConfig

from schema.cost import QueryCostLimiter
from schema.directory.mutations import DirectoryMutation
from schema.directory.queries import DirectoryQuery
from schema.events import EventsQuery, EventsSubscription
from schema.resources.mutations import ResourcesMutation
from schema.resources.queries import ResourcesQuery
from schema.schema_class import AllianceSchema
from schema.system import SystemQuery, SystemSubscription
from services.core.settings import Settings


@strawberry.type(description="Queries of the alliance platform (区域化党建联盟平台).")
class Query(SystemQuery, DirectoryQuery, ResourcesQuery, EventsQuery):
    pass


@strawberry.type(description="Changes (变更); each is one transaction with its audit row.")
class Mutation(DirectoryMutation, ResourcesMutation):
    pass


@strawberry.type(description="Live events (实时事件).")
class Subscription(SystemSubscription, EventsSubscription):
    pass


def build_schema(settings: Settings) -> AllianceSchema:
    """The whole API, with limits and error codes always on."""
    limits = settings.limits
    extensions: list[Callable[..., SchemaExtension]] = [
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        partial(QueryDepthLimiter, max_depth=limits.max_depth),
        partial(MaxAliasesLimiter, max_alias_count=limits.max_aliases),
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        partial(QueryCostLimiter, max_cost=limits.max_cost, max_page_size=limits.max_page_size),
    ]
    if not settings.graphql_introspection:
        extensions.append(DisableIntrospection)
    return AllianceSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )
