"""The short way of ``schema/execution.py`` answers exactly as the standard execution does, on
the production schema, for every GraphQL document the test suite sends.

Every request a test sends through the ``gql`` fixture is recorded (tests/conftest.py); this
test runs after all the others (marker ``after_suite``) and replays each of them, plus every
document written in the tests that needs no variables, in-process on both execution paths:
strawberry's standard ``StrawberryGraphQLCoreExecutionContext`` and our
``AllianceExecutionContext``. Both runs see the same data: one REPEATABLE READ transaction,
one savepoint per run, rolled back (so mutations run twice from the same state). Run alone,
the test still replays the documents written in the tests and its own feature documents.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import pytest
import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    TypeInfo,
    Visitor,
    get_named_type,
    parse,
    visit,
)
from graphql.utilities import TypeInfoVisitor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema import build_schema
from schema.execution import AllianceExecutionContext
from schema.permissions import Authenticated, Can, requires
from schema.schema_class import AllianceSchema
from services.core.settings import Settings
from tests.conftest import GraphQLClient, RunningServer, SentDocument, Tokens
from tests.support.replay import context_for, rolled_back, runnable_documents

TESTS = Path(__file__).resolve().parents[1]

FEATURES = """
query Features($skip: Boolean!, $with: Boolean!) {
  first: organizations(first: 3) { totalCount edges { cursor node { ...Org } } pageInfo { hasNextPage endCursor } }
  second: organizations(first: 2) {
    edges { node { id ... on Organization { name @include(if: $with) kind @skip(if: $skip) updatedAt @skip(if: $with) } } }
  }
  auditLog(first: 3) { edges { node { id createdAt changes entityId } } }
  activity(first: 3) { edges { node { id type summary time } } }
  resources(first: 5) {
    edges { node { id title publishedAt owner { ...Org } menu { id name } openingHours { weekday start end } } }
  }
  viewer { login roles { tenant role } }
}
fragment Org on Organization { id name createdAt contactPhone parent { id name } children { id } }
"""

FEATURE_CASES = [
    ({"skip": True, "with": True}, "alliance-admin"),
    ({"skip": False, "with": False}, "member"),
    ({"skip": False, "with": True}, "auditor"),
]

FRESH = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|alk_[A-Za-z0-9_-]+|whsec_[A-Za-z0-9+/=]+|\b[0-9a-f]{12}\b"
    r"|[A-Za-z0-9_-]{43}(?=\.ics\b)"
)
"""What a mutation makes anew on each run: row ids, an API key's prefix and secret, a webhook
secret, and a calendar feed's secret in its URL."""


def _features(schema: GraphQLSchema, query: str) -> set[str]:
    """Which of the features the comparison must cover ``query`` uses."""
    found: set[str] = set()
    type_info = TypeInfo(schema)

    class Features(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            if node.alias is not None:
                found.add("alias")
            for directive in node.directives or ():
                found.add("@" + directive.name.value)
            field = type_info.get_field_def()
            if field is None:
                return
            named = get_named_type(field.type)
            if named.name in {"DateTime", "JSON", "ID"}:
                found.add(named.name)
            definition = (field.extensions or {}).get("strawberry-definition")
            resolver = getattr(definition, "base_resolver", None)
            if resolver is not None and resolver.is_async:
                found.add("async resolver")

        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
            found.add("fragment")

        def enter_inline_fragment(self, node: InlineFragmentNode, *_: object) -> None:
            found.add("inline fragment")

    visit(parse(query), TypeInfoVisitor(type_info, Features()))
    return found


def _shape(result: Any) -> dict[str, Any]:
    errors = sorted(
        (e.message, [str(p) for p in e.path or []], (e.extensions or {}).get("code"))
        for e in result.errors or []
    )
    return {"data": result.data, "errors": errors}


def _without_fresh_ids(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, str]:
    """Both results as JSON, with ids and secrets only one of them holds (made anew by each
    run) numbered in order of appearance; ids both hold stay as they are."""
    text_a, text_b = orjson.dumps(a, default=str).decode(), orjson.dumps(b, default=str).decode()
    ids_a, ids_b = FRESH.findall(text_a), FRESH.findall(text_b)
    shared = set(ids_a) & set(ids_b)

    def renumber(text: str, ids: list[str]) -> str:
        numbers = {value: n for n, value in enumerate(dict.fromkeys(i for i in ids if i not in shared))}
        for value in sorted(numbers, key=len, reverse=True):  # a secret holds its key's prefix
            text = text.replace(value, f"<fresh {numbers[value]}>")
        return text

    return renumber(text_a, ids_a), renumber(text_b, ids_b)


@pytest.mark.after_suite
async def test_both_paths_answer_every_document_alike(
    gql: GraphQLClient,
    sent_documents: set[SentDocument],
    settings: Settings,
    server: RunningServer,
    pool: asyncpg.Pool,
    tokens: Tokens,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variables, login in FEATURE_CASES:
        body = await gql(FEATURES, variables, login=login)
        assert body["data"] is not None or login != "alliance-admin", body

    alliance: AllianceSchema = build_schema(settings)
    assert alliance.execution_context_class is AllianceExecutionContext
    reference = build_schema(settings)
    reference.execution_context_class = StrawberryGraphQLCoreExecutionContext
    graphql_schema = alliance._schema

    written = runnable_documents(graphql_schema, TESTS)
    cases = set(sent_documents) | {
        SentDocument(query, "{}", "alliance-admin", "demo", ()) for query in written
    }
    assert len(cases) > len(FEATURE_CASES)

    # Every permission check a field makes, by response path (Quietly checks through Can).
    checked: list[tuple[object, ...]] = []
    for permission in (Can, Authenticated):
        original = permission.has_permission

        def recording(self: Any, source: Any, info: Any, _original: Any = original, **kwargs: Any) -> bool:
            checked.append(tuple(info.path.as_list()))
            return bool(_original(self, source, info, **kwargs))

        monkeypatch.setattr(permission, "has_permission", recording)

    state = server.app.state.alliance
    covered: set[str] = set()
    differences: list[str] = []
    for case in sorted(cases, key=lambda c: (c.query, c.variables, c.login or "", c.tenant, c.headers)):
        is_mutation = case.query.lstrip().startswith("mutation")
        headers = {key.lower(): value for key, value in case.headers}
        if case.login is not None:
            headers["authorization"] = f"Bearer {await tokens(case.login, case.tenant)}"
        answers: list[tuple[dict[str, Any], list[tuple[object, ...]]]] = []
        async with pool.acquire() as conn:
            transaction = conn.transaction(isolation="repeatable_read")
            await transaction.start()
            try:
                for schema in (reference, alliance):
                    checked.clear()
                    async with rolled_back(conn):
                        context = await context_for(state, conn, server.app, headers)
                        result = await schema.execute(
                            case.query, variable_values=orjson.loads(case.variables), context_value=context
                        )
                    answers.append((_shape(result), sorted(checked, key=repr)))
            finally:
                await transaction.rollback()
        (standard, standard_checks), (short, short_checks) = answers
        if standard["data"] is not None:
            covered |= _features(graphql_schema, case.query)
        if standard != short:
            left, right = _without_fresh_ids(standard, short) if is_mutation else (str(standard), str(short))
            if left != right:
                differences.append(f"{case}\n  standard: {left[:2000]}\n  short:    {right[:2000]}")
        # A field carrying a permission is never answered without its check (from values
        # prefetched by a parent, say): the short way checks exactly what the standard one does.
        if Counter(map(repr, standard_checks)) != Counter(map(repr, short_checks)):
            differences.append(f"{case}\n  checks: {standard_checks}\n  short:  {short_checks}")
    assert differences == []
    assert covered >= {
        "alias",
        "fragment",
        "inline fragment",
        "@skip",
        "@include",
        "async resolver",
        "DateTime",
        "JSON",
        "ID",
    }


@strawberry.type
class Secret:
    value: str


@strawberry.type
class Holder:
    name: str
    prefetched: strawberry.Private[dict[str, object] | None] = None

    @strawberry.field(extensions=requires("secret", "read"))
    def secret(self) -> Secret:
        return Secret(value="resolved")

    @strawberry.field
    def open(self) -> Secret:
        return Secret(value="resolved")


@strawberry.type
class HolderQuery:
    @strawberry.field
    def holder(self) -> Holder:
        ahead = {"secret": Secret(value="fetched along"), "open": Secret(value="fetched along")}
        return Holder(name="h", prefetched=ahead)


class _Refusing:
    """A context whose caller may do nothing."""

    def allows(self, obj: str, act: str) -> bool:
        return False


async def test_a_field_carrying_a_permission_is_never_answered_from_prefetched_values() -> None:
    """No production field carries both a permission and a prefetched value today; this keeps
    the rule for the day one does: the permission runs (and refuses) whatever was fetched."""
    schema = strawberry.Schema(query=HolderQuery, execution_context_class=AllianceExecutionContext)
    result = await schema.execute("{ holder { open { value } secret { value } } }", context_value=_Refusing())
    assert result.data is None  # the refused non-null field nulls its parent
    assert [e.message for e in result.errors or []] == ["your role may not read secret"]
    answered = await schema.execute("{ holder { open { value } } }", context_value=_Refusing())
    assert answered.data == {"holder": {"open": {"value": "fetched along"}}}
