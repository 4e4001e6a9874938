"""The one place that relies on graphql-core's executor internals (and Strawberry's marks).

``schema.execution`` overrides ``execute_field`` of graphql-core 3.3's executor and calls two
more of its methods. They are not public API: graphql-core marks them ``:meta private:``, and
3.3 changed their parameters (``field_details_list``, ``position_context``) from 3.2's. A
release that changed them again would not fail at once; fields would go wrong one by one. So
the names and parameters relied on are written down here and checked when the execution
context is defined: an incompatible graphql-core stops the import with a message naming what
changed (``tests/schema/test_graphql_internals.py`` checks the installed one, and that a
changed executor is refused).

``GRAPHQL_CORE_RANGE`` is the range declared in pyproject.toml (a test keeps them equal).
"""

from __future__ import annotations

import inspect
from typing import Any

import graphql
from graphql import GraphQLField
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.resolvers import is_default_resolver
from strawberry.types.field import StrawberryField

__all__ = [
    "EXECUTOR_ATTRIBUTES",
    "EXECUTOR_METHODS",
    "GRAPHQL_CORE_RANGE",
    "FieldDetailsList",
    "IncompatibleGraphQLCore",
    "Path",
    "ensure_compatible",
    "incompatibilities",
    "is_plain_attribute",
    "strawberry_field",
]

GRAPHQL_CORE_RANGE = ">=3.3.2,<3.4"

# Methods of graphql-core's executor that schema.execution overrides or calls, with the
# parameters it passes them, in order.
EXECUTOR_METHODS: dict[str, tuple[str, ...]] = {
    "execute_field": ("parent_type", "source", "field_details_list", "path", "position_context"),
    "collect_and_execute_subfields": (
        "return_type",
        "field_details_list",
        "path",
        "result",
        "position_context",
    ),
    "handle_field_error": ("raw_error", "return_type", "field_details_list", "path"),
}

# Attributes of the executor it reads: the resolver middleware and the awaitable check.
EXECUTOR_ATTRIBUTES = ("middleware_manager", "is_awaitable")


class IncompatibleGraphQLCore(RuntimeError):
    """The installed graphql-core's executor is not the one schema.execution was written for."""


def _annotated(executor: type) -> set[str]:
    names: set[str] = set()
    for klass in executor.__mro__:
        names.update(inspect.get_annotations(klass))
        names.update(vars(klass))
    return names


def incompatibilities(executor: type) -> list[str]:
    """What ``executor`` lacks or has changed of what schema.execution relies on."""
    problems: list[str] = []
    for name, expected in EXECUTOR_METHODS.items():
        method = getattr(executor, name, None)
        if not callable(method):
            problems.append(f"{name}() is gone")
            continue
        found = tuple(inspect.signature(method).parameters)[1:]  # after self
        if found != expected:
            problems.append(f"{name}{found} instead of {name}{expected}")
    known = _annotated(executor)
    problems.extend(f"attribute {name} is gone" for name in EXECUTOR_ATTRIBUTES if name not in known)
    return problems


def ensure_compatible(executor: type) -> None:
    """Refuse an executor schema.execution cannot safely extend, naming what changed."""
    problems = incompatibilities(executor)
    if problems:
        raise IncompatibleGraphQLCore(
            f"schema.execution was written for graphql-core {GRAPHQL_CORE_RANGE}; the installed "
            f"{graphql.__version__} differs: " + "; ".join(problems)
        )


def is_plain_attribute(field: GraphQLField) -> bool:
    """Whether Strawberry resolves the field by reading the attribute (no resolver of its own)."""
    return field.resolve is not None and is_default_resolver(field.resolve)


def strawberry_field(field: GraphQLField) -> StrawberryField | None:
    """The Strawberry field a graphql-core field was made from."""
    found: Any = (field.extensions or {}).get("strawberry-definition")
    return found if isinstance(found, StrawberryField) else None
