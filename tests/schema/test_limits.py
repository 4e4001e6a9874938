"""Limits on documents: linear in the document, robust to invalid documents, coded refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from graphql import OperationDefinitionNode, parse

from schema import build_schema
from schema.limits import validation_results
from schema.limits.measure import DocumentMeasure
from schema.schema_class import AllianceSchema
from services.core.settings import GraphQLLimits, Settings


def doubling_fragments(levels: int) -> str:
    """The reported attack: each fragment spreads the next one twice (2**levels fields)."""
    chain = [f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}" for i in range(levels)]
    return "\n".join(["query Q{...F0}", *chain, f"fragment F{levels} on Query{{__typename}}"])


def _schema(**limits: int) -> AllianceSchema:
    return build_schema(replace(Settings(), limits=replace(GraphQLLimits(), **limits)))


SCHEMA = _schema()


async def _errors(query: str, schema: AllianceSchema = SCHEMA) -> list[tuple[str, str]]:
    result = await schema.execute(query)
    return [(error.message, (error.extensions or {}).get("code", "")) for error in result.errors or []]


def test_the_measure_visits_each_selection_once_however_far_fragments_expand() -> None:
    visited = {
        levels: DocumentMeasure(SCHEMA._schema, parse(doubling_fragments(levels)), 100).visited
        for levels in (10, 20, 40)
    }
    # Two spreads per fragment plus the last fragment's field: linear, where expanding is 2**levels.
    assert visited == {levels: 2 * levels + 1 for levels in (10, 20, 40)}


def test_the_measure_still_counts_what_the_fragments_expand_to() -> None:
    document = parse(doubling_fragments(22))
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    measure = DocumentMeasure(SCHEMA._schema, document, 100).operation(operation)
    assert (measure.fields, measure.cost, measure.depth) == (2**22, 2**22, 0)


async def test_the_reported_attack_is_refused_by_its_expanded_size() -> None:
    query = doubling_fragments(22)
    assert len(query.encode()) < 900  # the report measured 848 bytes
    assert await _errors(query) == [
        (
            "'Q' expands to 4194304 fields once its fragments are spread; the maximum is 2000.",
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("Query cost 4194304 exceeds the maximum of 10000; ask for less.", "GRAPHQL_VALIDATION_FAILED"),
    ]


async def test_too_many_fragment_spreads_are_refused() -> None:
    spreads = "{ " + " ".join(f"...A{i}" for i in range(6)) + " }"
    fragments = " ".join(f"fragment A{i} on Query {{ apiVersion }}" for i in range(6))
    assert await _errors(spreads + fragments, _schema(max_fragment_spreads=5)) == [
        ("The document has 6 fragment spreads; the maximum is 5.", "GRAPHQL_VALIDATION_FAILED")
    ]
    assert await _errors(spreads + fragments, _schema(max_fragment_spreads=6)) == []


async def test_fragments_count_for_depth_and_aliases() -> None:
    query = "{ ...A ...A } fragment A on Query { a: apiVersion b: apiVersion viewer { login } }"
    assert await _errors(query, _schema(max_aliases=3)) == [
        ("4 aliases found. Allowed: 3", "GRAPHQL_VALIDATION_FAILED")
    ]
    assert await _errors(query, _schema(max_depth=0)) == [
        ("'anonymous' exceeds maximum operation depth of 0", "GRAPHQL_VALIDATION_FAILED")
    ]


async def test_going_over_the_time_budget_is_a_validation_error_and_is_not_cached() -> None:
    # Hundreds of same-named fields keep graphql-core's overlapping-fields rule busy far
    # longer than a millisecond, whatever the machine.
    query = "{" + " viewer { login }" * 400 + " }"
    assert await _errors(query, _schema(validation_budget_ms=1)) == [
        (
            "The document took too long to validate (over the pre-execution time budget); "
            "send a smaller or simpler one.",
            "GRAPHQL_VALIDATION_FAILED",
        )
    ]
    cached = len(validation_results.entries)
    await _errors(query, _schema(validation_budget_ms=1))
    assert len(validation_results.entries) == cached


def test_the_new_limits_are_read_from_the_environment() -> None:
    limits = Settings.from_env(
        {
            "GRAPHQL_MAX_FRAGMENT_SPREADS": "7",
            "GRAPHQL_MAX_EXPANDED_FIELDS": "70",
            "GRAPHQL_VALIDATION_BUDGET_MS": "700",
        }
    ).limits
    assert (limits.max_fragment_spreads, limits.max_expanded_fields, limits.validation_budget_ms) == (
        7,
        70,
        700,
    )


# One document per rule of graphql-core's that reports it (plus parse-level oddities the
# measure walks before those rules run). None may crash the limit rules.
INVALID = {
    "ExecutableDefinitions": "{ apiVersion } type T { a: Int }",
    "KnownOperationTypes": "mutation { apiVersion }",
    "UniqueOperationNames": "query A { apiVersion } query A { apiVersion }",
    "LoneAnonymousOperation": "{ apiVersion } query B { apiVersion }",
    "SingleFieldSubscriptions": "subscription { heartbeat events { type } }",
    "KnownTypeNames": "{ ...X } fragment X on Nope { a }",
    "KnownTypeNamesInline": "{ ... on Nope { a { b } } }",
    "FragmentsOnCompositeTypes": "{ ...S } fragment S on String { a }",
    "VariablesAreInputTypes": "query($v: Organization) { apiVersion }",
    "ScalarLeafs": "{ apiVersion { length } viewer }",
    "FieldsOnCorrectType": "{ nope { deeper(first: 5) { deepest } } }",
    "UniqueFragmentNames": "{ ...A } fragment A on Query { apiVersion } fragment A on Viewer { login }",
    "KnownFragmentNames": "{ ...Nope }",
    "KnownFragmentNamesNested": "{ viewer { ...Nope } organizations(first: 3) { edges { node { ...Nada } } } }",
    "NoUnusedFragments": "{ apiVersion } fragment U on Query { apiVersion }",
    "PossibleFragmentSpreads": "{ ...V } fragment V on Viewer { login }",
    "NoFragmentCycles": "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
    "NoFragmentSelfCycle": "{ ...A } fragment A on Query { viewer { login } ...A }",
    "UniqueVariableNames": "query($a: Int, $a: Int) { organizations(first: $a) { totalCount } }",
    "NoUndefinedVariables": "{ organizations(first: $n) { totalCount } }",
    "NoUnusedVariables": "query($n: Int) { apiVersion }",
    "KnownDirectives": "{ apiVersion @nope }",
    "UniqueDirectivesPerLocation": "{ apiVersion @skip(if: true) @skip(if: true) }",
    "KnownArgumentNames": "{ apiVersion(nope: 1) }",
    "UniqueArgumentNames": "{ organizations(first: 1, first: 2) { totalCount } }",
    "ValuesOfCorrectType": '{ organizations(first: "many") { totalCount } }',
    "ValuesOfCorrectTypeHugeInt": "{ organizations(first: 99999999999999999999999999999) { totalCount } }",
    "ProvidedRequiredArguments": "{ organization { id } }",
    "VariablesInAllowedPosition": "query($id: String) { organization(id: $id) { id } }",
    "OverlappingFieldsCanBeMerged": "{ a: apiVersion a: viewer { login } }",
    "UniqueInputFieldNames": '{ organizations(filter: {search: "a", search: "b"}) { totalCount } }',
    "MaxIntrospectionDepth": "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
}


@pytest.mark.parametrize("query", INVALID.values(), ids=INVALID.keys())
async def test_every_invalid_document_is_a_validation_error(query: str) -> None:
    errors = await _errors(query)
    assert errors
    assert {code for _, code in errors} == {"GRAPHQL_VALIDATION_FAILED"}, errors
