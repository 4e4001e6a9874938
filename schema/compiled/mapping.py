"""What a domain declares once per GraphQL type so that reads of it compile to SQL.

A type maps to a table (its rows are the objects); each field maps to one of:

- ``Scalar``: a column or SQL expression of the row, with how it is written as JSON;
- ``One``: a nullable object of another mapped type, found by a correlated ``FROM … WHERE``
  (with parameters from its ``bind``, as ``Many``);
- ``Many``: a list of objects of another mapped type, in a given order, optionally bounded by
  an argument (checked per request by the field's ``bind``, as its resolver checks it);

Permissions are not declared here: the compiler reads them from the fields themselves (their
``requires``, ``personal`` and quiet permissions), the one place they are declared. A
resolver that asks Casbin itself (``info.context.allows(obj, act)``) is mapped with
``{may:obj:act}`` in its SQL, which the compiler writes as ``true`` or ``false``: the role
set's answer, decided once per plan as the plan cache is keyed by the role set.

Root fields declare where their rows come from: a ``ConnectionRoot`` (keyset pages, reusing
the service's own page and count SQL) or an ``ObjectRoot`` (one row by argument). Their SQL is
the services' SQL, with its own ``$1…$n``; the compiler renumbers it into the statement.

SQL templates name the row's alias ``{t}`` and a joined row's alias ``{o}``. Joins repeat
the tenant (``{o}.tenant_id = {t}.tenant_id``): row-level security already keeps them in
the tenant, but the repetition lets PostgreSQL use the (tenant_id, …) indexes, about three
times faster per joined row than the primary key with the policy as a filter. A field that is
not declared is not compiled: a document that selects it is answered by the interpreter.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schema.pagination import Keyset
from services.core.principal import Principal


class Kind(enum.Enum):
    """How a column is written as JSON, byte for byte as Strawberry and orjson write it."""

    ID = "id"  # uuid (or any value) as a JSON string
    STRING = "string"
    INT = "int"
    BOOLEAN = "boolean"
    ENUM = "enum"  # stored as the enum member's name
    DATETIME = "datetime"  # timestamptz, as Python's isoformat() in UTC
    DATE = "date"  # date, as Python's isoformat() (PostgreSQL's JSON writes dates in ISO 8601)
    STRING_LIST = "string_list"  # text[]
    INT_LIST = "int_list"  # integer[]
    DECIMAL = "decimal"  # numeric, as a JSON string in plain notation (schema.scalars.DECIMAL)


Args = Mapping[str, Any]
"""A field's arguments, coerced by graphql-core (input objects as dicts of GraphQL names)."""

Bind = Callable[[Args, Principal], Sequence[Any]]
"""The SQL parameters of a field for one request; a ``DomainError`` (or ``ValueError``) means
the interpreter would answer with an error, so the request is answered by the interpreter."""


def no_params(args: Args, principal: Principal) -> Sequence[Any]:
    return ()


@dataclass(frozen=True, slots=True)
class Scalar:
    sql: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class One:
    type: str
    source: str  # "FROM organizations {o} WHERE {o}.id = {t}.owner_org_id", parameters from bind
    bind: Bind = no_params


@dataclass(frozen=True, slots=True)
class Many:
    type: str
    source: str  # "FROM … WHERE … ORDER BY … LIMIT $1", its own parameters from bind
    bind: Bind = no_params


Field = Scalar | One | Many


def row_by_id(type_name: str, table: str, column: str) -> One:
    """The ``type_name`` row of ``table`` whose id is the row's ``column``, the tenant repeated
    (an organisation by its id column, say)."""
    return One(
        type_name, f"FROM {table} {{o}} WHERE {{o}}.tenant_id = {{t}}.tenant_id AND {{o}}.id = {{t}}.{column}"
    )


@dataclass(frozen=True, slots=True)
class TypeMap:
    """A GraphQL object type whose objects are rows (of whatever the root or field selects)."""

    name: str
    fields: Mapping[str, Field]


@dataclass(frozen=True, slots=True)
class ConnectionRoot:
    """A root connection field paged by ``keyset``.

    ``rows`` selects the page with parameters ``$1…$k`` from ``bind``, then ``$k+1`` the key
    after which the page starts and ``$k+2`` the page size plus one, ordered by the key
    ``key`` (an expression of the alias ``{t}``; descending when ``descending``); ``count``
    counts the filter's rows with the same ``$1…$k``.

    ``guard``, when given, is a condition of the service with its own parameters from
    ``guard_bind`` (an organisation named by the filter exists, say): when it is false the
    interpreter answers (with the service's error), as when an ``ObjectRoot`` finds no row.
    """

    field: str
    type: str
    keyset: Keyset[Any]
    rows: str
    count: str
    key: str
    bind: Bind
    descending: bool = False
    guard: str | None = None
    guard_bind: Bind = no_params


@dataclass(frozen=True, slots=True)
class ObjectRoot:
    """A root field answering one row (or NOT_FOUND, which the interpreter answers)."""

    field: str
    type: str
    rows: str
    bind: Bind


Root = ConnectionRoot | ObjectRoot


@dataclass(frozen=True, slots=True)
class Mappings:
    """Every declaration of the platform's domains, by type name and root field name."""

    types: dict[str, TypeMap] = field(default_factory=dict)
    roots: dict[str, Root] = field(default_factory=dict)

    @classmethod
    def of(cls, declared: Sequence[TypeMap | Root]) -> Mappings:
        found = cls()
        for item in declared:
            if isinstance(item, TypeMap):
                if item.name in found.types:
                    raise ValueError(f"type {item.name} is mapped twice")
                found.types[item.name] = item
            else:
                if item.field in found.roots:
                    raise ValueError(f"root field {item.field} is mapped twice")
                found.roots[item.field] = item
        return found
