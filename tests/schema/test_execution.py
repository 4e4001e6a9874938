"""The short way for plain and prefetched fields answers exactly as the standard execution."""

from __future__ import annotations

import enum
from typing import Any

import strawberry

from schema.ahead import Prefetched, answered_ahead
from schema.execution import AllianceExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Inner:
    label: str


@strawberry.type
class Thing:
    name: str
    nick: str | None
    colour: Colour
    count: int
    inner: Inner
    prefetched: strawberry.Private[Prefetched | None] = None

    @strawberry.field
    def partner(self) -> Inner | None:
        return Inner(label=f"resolved {self.name}")


PARTNER = answered_ahead(Thing, "partner")


def _things() -> list[Thing]:
    return [
        Thing(name="a", nick=None, colour=Colour.RED, count=1, inner=Inner(label="x")),
        Thing(name=None, nick="n", colour=Colour.BLUE, count=2, inner=Inner(label="y")),  # type: ignore[arg-type]
        Thing(name="c", nick="m", colour=Colour.RED, count=2**40, inner=Inner(label="z")),
        Thing(name="d", nick=None, colour=Colour.BLUE, count=3, inner=None),  # type: ignore[arg-type]
    ]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return list(_things())

    @strawberry.field
    def ahead(self) -> list[Thing]:
        things = _things()[:1]
        things[0].prefetched = {PARTNER: Inner(label="fetched along")}
        return things


QUERY = "{ things { name nick colour count inner { label } partner { label } } }"


def _plain(result: Any) -> tuple[Any, list[tuple[str, Any]]]:
    return result.data, sorted((e.message, e.path) for e in result.errors or [])


async def test_plain_fields_answer_as_the_standard_execution_does() -> None:
    standard = await strawberry.Schema(query=Query).execute(QUERY)
    fast = strawberry.Schema(query=Query, execution_context_class=AllianceExecutionContext)
    short = await fast.execute(QUERY)
    assert _plain(short) == _plain(standard)
    # A null name, an Int out of range and a null object come back as errors (each nulls its row).
    assert len(standard.errors or []) == 3 and short.data is not None
    assert [thing is None for thing in short.data["things"]] == [False, True, True, True]
    assert short.data["things"][0]["partner"] == {"label": "resolved a"}


async def test_a_prefetched_field_is_answered_without_its_resolver() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=AllianceExecutionContext)
    result = await schema.execute("{ ahead { name partner { label } } }")
    assert result.errors is None
    assert result.data == {"ahead": [{"name": "a", "partner": {"label": "fetched along"}}]}
