"""The GraphQL layer: one module per domain, composed into one schema by ``build_schema``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.config import StrawberryConfig

from schema.context import OperationScope
from schema.directory.mutations import DirectoryMutation
from schema.directory.queries import DirectoryQuery
from schema.events import EventsQuery, EventsSubscription
from schema.execution import AllianceExecutionContext
from schema.input_checks import InputChecks
from schema.limits import BoundedValidation, limit_rules
from schema.resources.mutations import ResourcesMutation
from schema.resources.queries import ResourcesQuery
from schema.scalars import SCALAR_OVERRIDES
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
    # The limit rules are classes made once here: validation results are cached by document
    # and rule classes, so classes made per request (as Strawberry's QueryDepthLimiter and
    # MaxAliasesLimiter do) would miss the cache on every request (≈1 ms of CPU each).
    # BoundedValidation takes the place of Strawberry's ValidationCache: it starts the
    # pre-execution clock and validates off the event loop (see schema/limits).
    extensions: list[Callable[..., SchemaExtension]] = [
        partial(BoundedValidation, budget_ms=limits.validation_budget_ms),
        partial(ParserCache, maxsize=512),
        partial(AddValidationRules, limit_rules(limits)),
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        InputChecks,  # before OperationScope: refused input never takes a connection
        OperationScope,
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
        scalar_overrides=SCALAR_OVERRIDES,
    )
