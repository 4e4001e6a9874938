"""The differential check of compiled reads: each case answered by the interpreter, then by
the compiled path, for every login; the answers must be the same bytes (or, when the
interpreter answers with errors, the same data and errors, and not compiled).

Each domain's corpus lives in ``tests/compiled/``; they share the app fixture and ``differ``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries
from starlette.applications import Starlette

from bench.statements import compiled_reads
from schema.export import SDL_PATH
from services.core.settings import Settings
from services.gateway.app import create_app
from tests.conftest import Tokens

LOGINS = [
    ("demo", "alliance-admin"),
    ("demo", "street-admin"),
    ("demo", "soe-admin"),
    ("demo", "member"),
    ("demo", "auditor"),
    ("other", "alliance-admin"),
    ("other", "soe-admin"),
]


@dataclass(frozen=True)
class Case:
    query: str
    variables: dict[str, Any]
    compiles: bool = True  # the document has a plan (whether this request is answered by it)


async def _post(client: httpx.AsyncClient, headers: dict[str, str], case: Case) -> bytes:
    response = await client.post(
        "/graphql", json={"query": case.query, "variables": case.variables}, headers=headers
    )
    assert response.status_code in {200, 400}, response.text
    return response.content


def _errors(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (e.get("message"), (e.get("extensions") or {}).get("code"), e.get("path"))
        for e in body.get("errors") or []
    ]


async def differ(
    app: Starlette,
    tokens: Tokens,
    cases: list[Case],
    logins: list[tuple[str, str]] = LOGINS,
    api_keys: Sequence[str] = (),
) -> int:
    """Every case for every login (and partner API key) through both paths; how many answers
    were compiled."""
    reads = compiled_reads(app)
    compiled_answers = 0
    callers = [
        *[
            (f"{login}@{tenant}", {"authorization": f"Bearer {await tokens(login, tenant)}"})
            for tenant, login in logins
        ],
        *[(f"api key {key[:6]}…", {"x-api-key": key}) for key in api_keys],
    ]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for caller, headers in callers:
            for case in cases:
                reads.enabled = False
                interpreted = await _post(client, headers, case)
                reads.enabled = True
                await _post(client, headers, case)  # the interpreter answers; the plan is made
                before = reads.figures.answered
                compiled = await _post(client, headers, case)
                took_compiled = reads.figures.answered > before
                compiled_answers += took_compiled
                expected = orjson.loads(interpreted)
                where = f"{caller}: {case.query[:60]!r} {case.variables}"
                if "errors" in expected:
                    got = orjson.loads(compiled)
                    assert got.get("data") == expected.get("data"), where
                    assert _errors(got) == _errors(expected), where
                    assert not took_compiled, where
                else:
                    assert compiled == interpreted, where
                    if case.compiles:
                        assert took_compiled, f"fell back: {where}"
    return compiled_answers


async def running_app(settings: Settings) -> AsyncIterator[Starlette]:
    """The gateway app with its lifespan (for a module-scoped fixture)."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


def generated_documents(fields: list[str], *, examples: int = 40) -> list[str]:
    """Query documents hypothesis-graphql generates from the exported SDL over ``fields``
    (derandomised: the same documents every run)."""
    found: list[str] = []
    strategy = queries(
        SDL_PATH.read_text(),
        fields=fields,
        custom_scalars={
            "DateTime": st.just("2030-01-01T10:00:00+00:00").map(nodes.String),
            "Date": st.just("2030-01-01").map(nodes.String),
        },
        allow_x00=False,
    )

    @hypothesis_settings(
        max_examples=examples, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(strategy)
    def collect(document: str) -> None:
        found.append(document)

    collect()
    return found
