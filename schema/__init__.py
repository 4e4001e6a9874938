"""The GraphQL layer: one module per domain, composed into one schema by ``build_schema``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from graphql import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.config import StrawberryConfig

from schema.context import SharedReads
from schema.cost import cost_rule
from schema.directory.mutations import DirectoryMutation
from schema.directory.queries import DirectoryQuery
from schema.events import EventsQuery, EventsSubscription
from schema.execution import AllianceExecutionContext
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
    # Depth, alias and cost limits are validation rules, made once here: the validation cache
    # is keyed by the rule classes too, and Strawberry's QueryDepthLimiter and
    # MaxAliasesLimiter make new classes per instance (extensions are built per request), so
    # every request would miss the cache and be validated again (≈1 ms of CPU each).
    limit_rules: list[type[ASTValidationRule]] = [
        max_depth_rule(limits.max_depth, None),
        max_aliases_rule(limits.max_aliases),
        cost_rule(limits.max_cost, limits.max_page_size),
    ]
    extensions: list[Callable[..., SchemaExtension]] = [
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        partial(AddValidationRules, limit_rules),
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        SharedReads,
    ]
    if not settings.graphql_introspection:
        extensions.append(DisableIntrospection)
    return AllianceSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=AllianceExecutionContext,
    )
