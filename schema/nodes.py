"""Relay global object identification (全局对象标识): ``node(id)`` and ``nodes(ids)``.

Each domain's GraphQL roots module declares its node types once (``NODES``, collected by
``build_schema`` as ``COMPILED`` is): the type, the table whose primary key is its ``id``, and
the type's own root field that answers one object by id. ``node`` finds which table holds an
id with one statement over every registered table (``services.core.identify``; row-level
security hides other tenants' rows), then answers through that root field itself, its
permission extensions and its resolver. A node therefore answers exactly as its type's root
field does: the same FORBIDDEN, the same hidden rows, the same audit rows, and a partner key
gets no more than it gets there. Ids stay the UUIDs they are, which are globally unique already.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import strawberry
from strawberry.extensions.field_extension import build_field_extension_resolvers
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from schema.context import Info
from schema.permissions import authenticated
from services.core.errors import BadUserInput, Forbidden, NotFound
from services.core.identify import Key, KeyedTable, TableLookup, parse_key

MAX_NODES = 100


@strawberry.interface(
    description=(
        "An object with a global id (全局对象标识, Relay Node): `node(id)` fetches it again by that id."
    )
)
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique id (全局唯一标识).")


@dataclass(frozen=True, slots=True)
class NodeType:
    """A domain's declaration that ``type`` is a node: its table and its own root field."""

    type: type[Node]
    table: str  # the table holding the objects
    root: str  # the Python name of the Query field that answers one object by ``id``
    key: str = "id"  # the table's unique column holding the object's id
    kind: Literal["uuid", "bigint"] = "uuid"  # that column's type


class Nodes:
    """The node types of a schema, each with its root field, and the lookup over their tables."""

    def __init__(self, query: type[Any], declared: Sequence[NodeType]) -> None:
        definition: StrawberryObjectDefinition = query.__strawberry_definition__
        self._roots: dict[str, StrawberryField] = {}
        self.tables: dict[str, str] = {}  # GraphQL type name → its table
        self.keys: dict[str, str] = {}  # GraphQL type name → its table's id column
        keyed: list[KeyedTable] = []
        for node in declared:
            if not issubclass(node.type, Node):
                raise TypeError(f"{node.type.__name__} is declared a node but does not implement Node")
            field = definition.get_field(node.root)
            answers: object = field.type if field is not None else None
            if field is None or field.base_resolver is None or answers is not node.type:
                raise TypeError(f"Query.{node.root} is not a root field answering {node.type.__name__}")
            if [argument.python_name for argument in field.arguments] != ["id"]:
                raise TypeError(f"Query.{node.root} must take exactly one argument, id")
            self._roots[node.table] = field
            self.tables[node.type.__strawberry_definition__.name] = node.table  # type: ignore[attr-defined]
            self.keys[node.type.__strawberry_definition__.name] = node.key  # type: ignore[attr-defined]
            keyed.append(KeyedTable(node.table, key=node.key, kind=node.kind))
        self.lookup = TableLookup(keyed)

    async def answer(self, info: Info, ids: Sequence[str], *, field: str) -> list[Any]:
        """Each id's object as its root field answers it, or the exception it raised there;
        ``field`` is the argument an unknown id is reported on."""
        parsed = [parse_key(value) for value in ids]
        async with info.context.db() as conn:
            tables = await self.lookup.tables_of(conn, ids=[key for key in parsed if key is not None])
        answers = await asyncio.gather(
            *(self._one(info, key, tables.get(key) if key else None, field) for key in parsed),
            return_exceptions=True,
        )
        for answer in answers:
            if isinstance(answer, BaseException) and not isinstance(answer, Exception):
                raise answer
        return list(answers)

    async def _one(self, info: Info, key: Key | None, table: str | None, field_name: str) -> Any:
        if key is None or table is None:
            raise NotFound("no such node", field=field_name)
        field = self._roots[table]
        assert field.base_resolver is not None
        chained: Callable[..., Any] = field.base_resolver
        # The root field's own extensions around its own resolver, chained as Strawberry
        # chains them when the field itself is queried.
        for extension in build_field_extension_resolvers(field):
            chained = partial(extension, chained)
        try:
            return await chained(None, info, id=str(key))
        except Forbidden:
            # The caller may not read this type at all: answered as an id naming nothing.
            raise NotFound("no such node", field=field_name) from None


def _nodes(info: Info) -> Nodes:
    nodes: Nodes = info.schema.nodes  # type: ignore[attr-defined]
    return nodes


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description=(
            "Any object with a global id (按全局标识取对象), answered as its own root field answers "
            "it (the same permissions); an unknown, malformed or another alliance's id: NOT_FOUND."
        ),
        extensions=authenticated(),
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        (answer,) = await _nodes(info).answer(info, [id], field="id")
        if isinstance(answer, Exception):
            raise answer
        node: Node = answer
        return node

    @strawberry.field(
        description=(
            f"Objects by global id (按全局标识批量取对象), at most {MAX_NODES}, in the order asked; an id "
            "that cannot be answered is null with its error at its index."
        ),
        extensions=authenticated(),
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadUserInput(f"at most {MAX_NODES} ids at once", field="ids")
        # An exception in the list is raised by graphql-core at its index: null there, with the
        # error's path ["nodes", i], while the other ids answer.
        return await _nodes(info).answer(info, ids, field="ids")
