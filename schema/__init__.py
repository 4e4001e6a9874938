"""The GraphQL layer: one module per domain, composed into one schema by ``build_schema``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.config import StrawberryConfig

from schema.compiled import CompiledReads, Mappings
from schema.context import OperationScope
from schema.execution import AllianceExecutionContext
from schema.input_checks import InputChecks
from schema.limits import BoundedValidation, limit_rules
from schema.nodes import NodeQuery, Nodes
from schema.scalars import SCALAR_OVERRIDES
from schema.schema_class import AllianceSchema
from schema.system import SystemQuery, SystemSubscription
from services.core.settings import Settings
from services.domain import Platform

_DESCRIPTIONS = {
    "Query": "Queries of the alliance platform (区域化党建联盟平台).",
    "Mutation": "Changes (变更); each is one transaction with its audit row.",
    "Subscription": "Live events (实时事件).",
}


def _root(name: str, platform_roots: list[type[Any]], modules: list[Any]) -> type[Any] | None:
    """One root type: the platform's own fields, then each domain's, in the domains' order.

    A domain may refine a field of a domain above it (``<Root>Refinement``: co-building's
    ``viewer`` adds its across-alliances view to the directory's): refinements come first, so
    their field wins and keeps its place in the SDL."""
    refinements = [getattr(m, f"{name}Refinement") for m in modules if hasattr(m, f"{name}Refinement")]
    bases = [*platform_roots, *refinements, *(getattr(m, name) for m in modules if hasattr(m, name))]
    if not bases:
        return None
    return strawberry.type(type(name, tuple(bases), {}), description=_DESCRIPTIONS[name])


def build_schema(settings: Settings, platform: Platform | None = None) -> AllianceSchema:
    """The whole API of ``platform``'s domains, with limits and error codes always on."""
    platform = platform or Platform.default()
    modules = [importlib.import_module(name) for name in platform.graphql_modules()]
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
        # Domains' own extensions (a module's ``EXTENSIONS``) come last: their validation
        # hooks see the platform's validation done.
        *(extension for module in modules for extension in getattr(module, "EXTENSIONS", ())),
    ]
    if not settings.graphql_introspection:
        extensions.append(DisableIntrospection)
    query = _root("Query", [SystemQuery, NodeQuery], modules)
    assert query is not None
    schema = AllianceSchema(
        query=query,
        mutation=_root("Mutation", [], modules),
        subscription=_root("Subscription", [SystemSubscription], modules),
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=AllianceExecutionContext,
        scalar_overrides=SCALAR_OVERRIDES,
    )
    schema.platform = platform
    schema.settings = settings
    # Each domain's GraphQL module declares its node types (``NODES``) for ``node(id)``.
    schema.nodes = Nodes(query, [item for m in modules for item in getattr(m, "NODES", ())])
    # Each domain's GraphQL module declares the table mapping of its types (``COMPILED``).
    mappings = Mappings.of([item for m in modules for item in getattr(m, "COMPILED", ())])
    schema.compiled_reads = CompiledReads(schema._schema, mappings, settings)
    schema.http_guards = tuple(guard for m in modules for guard in getattr(m, "HTTP_GUARDS", ()))
    return schema
