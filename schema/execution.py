"""Field execution with a short way for plain fields.

graphql-core executes every field the same way: it builds a resolve-info object, looks up
argument values, calls the resolver, checks for an awaitable, then walks the completion
steps (non-null, list, leaf, object). For a field that is only an attribute of its object
(Strawberry's "basic" field: no resolver, no extension, no permission), the result is
``coerce_output_value(getattr(source, name))`` for a scalar or an enum, and the object's own
sub-selection for an object type; on a page of 50 rows such fields are most of a request's
fields. Here they take that short way. A null, a value that does not serialise, an error in
a sub-selection and every other field go the standard way, with the standard errors.

A field with a resolver may also be answered ahead: when the query that made an object
already fetched what one of its resolvers would load (the owner of each resource of a page),
it leaves the value in the object's ``prefetched`` mapping (keys made by
``schema.ahead.answered_ahead``), and the field is completed from there without calling the
resolver. Only fields without extensions (permissions included) whose type is an object type
are answered so; the resolver stays the way for everything else, and for objects made
elsewhere.

What this relies on of graphql-core's executor is named and checked in
``schema.graphql_internals``; an incompatible graphql-core fails the import of this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.ahead import PREFETCHED
from schema.graphql_internals import (
    FieldDetailsList,
    Path,
    ensure_compatible,
    is_plain_attribute,
    strawberry_field,
)

ensure_compatible(StrawberryGraphQLCoreExecutionContext)


@dataclass(frozen=True, slots=True)
class _Plain:
    """How to execute a plain field: its attribute getter and what its type needs."""

    resolve: Callable[..., Any] | None  # None: a resolver field answered ahead when prefetched
    type: GraphQLOutputType
    nullable: bool
    serialize: Callable[[Any], Any] | None  # scalars and enums
    object_type: GraphQLObjectType | None  # object types without an is_type_of check
    python_name: str = ""


def _plain(parent_type: GraphQLObjectType, name: str) -> _Plain | None:
    field = parent_type.fields.get(name)
    if field is None or field.resolve is None:
        return None
    type_ = field.type
    nullable = not isinstance(type_, GraphQLNonNull)
    named = type_ if nullable else type_.of_type
    if not is_plain_attribute(field):
        definition = strawberry_field(field)
        if (
            definition is None
            or definition.extensions
            or not isinstance(named, GraphQLObjectType)
            or named.is_type_of is not None
        ):
            return None
        return _Plain(None, field.type, nullable, None, named, definition.python_name)
    if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
        return _Plain(field.resolve, field.type, nullable, named.coerce_output_value, None)
    if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
        return _Plain(field.resolve, field.type, nullable, None, named)
    return None


class AllianceExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain fields executed the short way."""

    # Per parent type and field name (the types of every schema built, a few hundred each).
    plain_fields: dict[tuple[GraphQLObjectType, str], _Plain | None] = {}  # noqa: RUF012 - a shared cache

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any = None,
    ) -> Any:
        key = (parent_type, field_details_list[0].node.name.value)
        try:
            plain = self.plain_fields[key]
        except KeyError:
            plain = self.plain_fields[key] = _plain(parent_type, key[1])
        if plain is not None and not self._wrapped_resolvers:
            if plain.resolve is None:
                ahead = getattr(source, PREFETCHED, None)
                if not ahead or plain.python_name not in ahead:
                    return super().execute_field(
                        parent_type, source, field_details_list, path, position_context
                    )
                value = ahead[plain.python_name]
            else:
                value = plain.resolve(source, None)
            if value is None:
                if plain.nullable:
                    return None
            elif plain.serialize is not None:
                try:
                    serialized = plain.serialize(value)
                except Exception:  # noqa: S110 - the standard way below reports it
                    pass
                else:
                    if serialized is not None and serialized is not Undefined:
                        return serialized
            elif plain.object_type is not None and not isinstance(value, Exception):
                return self._object(plain, field_details_list, path, value, position_context)
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    @property
    def _wrapped_resolvers(self) -> bool:
        """Whether some extension wraps every resolver (then no field takes the short way)."""
        manager = self.middleware_manager
        return manager is not None and bool(manager.middlewares)

    def _object(
        self,
        plain: _Plain,
        field_details_list: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """The object's sub-selection, with errors handled as ``execute_field`` handles them."""
        assert plain.object_type is not None
        try:
            completed = self.collect_and_execute_subfields(
                plain.object_type, field_details_list, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plain.type, field_details_list, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed(completed: Awaitable[Any]) -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, plain.type, field_details_list, path)
                return None

        return await_completed(completed)
