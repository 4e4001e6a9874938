"""The executor internals schema.execution relies on hold for the installed graphql-core."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import graphql
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution import AllianceExecutionContext
from schema.graphql_internals import (
    GRAPHQL_CORE_RANGE,
    IncompatibleGraphQLCore,
    ensure_compatible,
    incompatibilities,
)

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_installed_graphql_core_has_what_the_execution_relies_on() -> None:
    assert incompatibilities(StrawberryGraphQLCoreExecutionContext) == []
    assert issubclass(AllianceExecutionContext, StrawberryGraphQLCoreExecutionContext)


def test_pyproject_declares_the_range_and_the_installed_version_is_in_it() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    declared = [Requirement(d) for d in dependencies if Requirement(d).name == "graphql-core"]
    assert [r.specifier for r in declared] == [SpecifierSet(GRAPHQL_CORE_RANGE)]
    assert declared[0].specifier.contains(graphql.__version__)


class _Renamed(StrawberryGraphQLCoreExecutionContext):
    """An executor as a future graphql-core might have it: a parameter renamed, one dropped."""

    def execute_field(self, parent_type: Any, source: Any, field_nodes: Any, path: Any) -> Any:  # type: ignore[override]
        raise NotImplementedError


class _MethodsOnly:
    """An executor with the methods the short way calls but none of the attributes it reads."""

    def execute_field(
        self, parent_type: Any, source: Any, field_details_list: Any, path: Any, position_context: Any
    ) -> Any:
        raise NotImplementedError

    def collect_and_execute_subfields(
        self, return_type: Any, field_details_list: Any, path: Any, result: Any, position_context: Any
    ) -> Any:
        raise NotImplementedError

    def handle_field_error(
        self, raw_error: Any, return_type: Any, field_details_list: Any, path: Any
    ) -> None:
        raise NotImplementedError


class _WithoutErrors(StrawberryGraphQLCoreExecutionContext):
    """An executor without the error handling the short way calls."""

    handle_field_error = None  # type: ignore[assignment]


def test_a_changed_signature_is_refused_loudly() -> None:
    expected = re.escape(
        "execute_field('parent_type', 'source', 'field_nodes', 'path') instead of execute_field("
        "'parent_type', 'source', 'field_details_list', 'path', 'position_context')"
    )
    with pytest.raises(IncompatibleGraphQLCore, match=expected):
        ensure_compatible(_Renamed)


def test_a_missing_method_is_refused() -> None:
    assert incompatibilities(_WithoutErrors) == ["handle_field_error() is gone"]
    with pytest.raises(IncompatibleGraphQLCore, match=f"graphql-core {re.escape(GRAPHQL_CORE_RANGE)}"):
        ensure_compatible(_WithoutErrors)


def test_a_missing_attribute_is_refused() -> None:
    assert incompatibilities(_MethodsOnly) == [
        "attribute middleware_manager is gone",
        "attribute is_awaitable is gone",
    ]
