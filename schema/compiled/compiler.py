"""From a validated query document to one SQL statement that writes the response's ``data``.

The walk follows the document against the declared mappings (``schema.compiled.mapping``)
and the executable schema. Whatever it cannot express exactly raises ``NotCompiled`` and the
document stays with the interpreter: another operation type, a directive, an unmapped field
or type, a field selected twice under one response key, a root field the role set may not
read (the interpreter answers FORBIDDEN), an introspection field other than ``__typename``.

Permissions are decided here, once per role set, from the fields' own declarations
(``schema.permissions``): a root the roles may not read stays with the interpreter (it answers
FORBIDDEN); a quiet field (``fail_silently``: personal data, bookings without booking read)
becomes a constant ``null`` or ``[]``; a field with any other extension is not compiled.
Arguments become bound parameters, computed per request by binders (``Plan.binders``), in
the order of their placeholders; ``$1`` and ``$2`` are the tenant and the account, set in the
statement itself (``set_config(…, true)``, for the statement's own implicit transaction only).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    get_named_type,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.permission import PermissionExtension

from schema.compiled import json_sql
from schema.compiled.mapping import Bind, ConnectionRoot, Field, Many, Mappings, ObjectRoot, One, Scalar
from schema.graphql_internals import strawberry_field
from schema.pagination import page_size
from schema.permissions import Can
from services.core.principal import Principal
from services.core.settings import Settings

Binder = Callable[[VariableValues, Principal], list[Any]]

_PLACEHOLDER = re.compile(r"\$(\d+)")
_MAY = re.compile(r"\{may:(\w+):(\w+)\}")


class NotCompiled(Exception):
    """The document (or this part of it) is answered by the interpreter; the message says why."""


@dataclass(frozen=True, slots=True)
class Plan:
    """One statement for one (document, operation, role set)."""

    sql: str
    variable_definitions: tuple[VariableDefinitionNode, ...]
    binders: tuple[Binder, ...]

    @property
    def size(self) -> int:
        return len(self.sql)


def _renumber(sql: str, offset: int) -> str:
    return _PLACEHOLDER.sub(lambda m: f"${int(m[1]) + offset}", sql)


def _placeholders(*sql: str) -> int:
    return max((int(m[1]) for text in sql for m in _PLACEHOLDER.finditer(text)), default=0)


def _typename(name: str) -> str:
    return json_sql.literal(orjson.dumps(name).decode())


class Compiler:
    """One compilation: a document, an operation and what the role set may read."""

    def __init__(
        self,
        schema: GraphQLSchema,
        mappings: Mappings,
        settings: Settings,
        document: DocumentNode,
        allows: Callable[[str, str], bool],
    ) -> None:
        self.schema = schema
        self.mappings = mappings
        self.settings = settings
        self.allows = allows
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.document = document
        self.binders: list[Binder] = []
        self.next_param = 3  # $1 tenant, $2 account
        self.aliases = 0

    def compile(self, operation_name: str | None) -> Plan:
        operation = get_operation_ast(self.document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            raise NotCompiled("not a query")
        if operation.directives:
            raise NotCompiled("a directive on the operation")
        query_type = self.schema.query_type
        assert query_type is not None
        members: list[tuple[str, str]] = []
        for node in self._fields(operation.selection_set, query_type.name):
            key = (node.alias or node.name).value
            name = node.name.value
            if name == "__typename":
                members.append((key, _typename(query_type.name)))
                continue
            root = self.mappings.roots.get(name)
            if root is None:
                raise NotCompiled(f"Query.{name} is not mapped")
            definition = query_type.fields[name]
            if not self._permitted(definition, f"Query.{name}"):
                raise NotCompiled(f"the role set may not read Query.{name}")
            if isinstance(root, ConnectionRoot):
                members.append((key, self._connection(root, node, definition)))
            else:
                members.append((key, self._object_root(root, node, definition)))
        data = json_sql.obj(members)
        body = f"""'{{"data":' || {data} || '}}'"""
        sql = (
            f"SELECT convert_to(CASE WHEN scope.tenant IS NOT NULL THEN {body} END, 'UTF8')"
            " FROM (SELECT set_config('app.tenant_id', $1, true) AS tenant,"
            " set_config('app.account_id', $2, true) AS account) AS scope"
        )
        return Plan(sql, tuple(operation.variable_definitions or ()), tuple(self.binders))

    def _permitted(self, definition: GraphQLField, where: str) -> bool:
        """Whether the role set may read the field; False only for a quiet refusal (null)."""
        declared = strawberry_field(definition)
        permitted = True
        for extension in declared.extensions if declared else ():
            if not isinstance(extension, PermissionExtension):
                raise NotCompiled(f"{where} has an extension")
            for permission in extension.permissions:
                if not isinstance(permission, Can):
                    raise NotCompiled(f"{where} has a permission the compiler does not know")
                if not self.allows(permission.obj, permission.act):
                    if not extension.fail_silently:
                        raise NotCompiled(f"the role set may not {permission.act} {permission.obj}")
                    permitted = False
        return permitted

    # -- selections -------------------------------------------------------------------------

    def _fields(self, selection_set: SelectionSetNode | None, type_name: str) -> list[FieldNode]:
        if selection_set is None:
            raise NotCompiled(f"a selection on {type_name} without fields")
        found: list[FieldNode] = []
        self._collect(selection_set, type_name, found, set())
        return found

    def _collect(
        self, selection_set: SelectionSetNode, type_name: str, found: list[FieldNode], keys: set[str]
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise NotCompiled("a directive")
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                if key in keys:
                    raise NotCompiled(f"{key} selected twice (fields merged)")
                if selection.name.value.startswith("__") and selection.name.value != "__typename":
                    raise NotCompiled("introspection")
                keys.add(key)
                found.append(selection)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None or fragment.type_condition.name.value != type_name:
                    raise NotCompiled("a fragment on another type")
                self._collect(fragment.selection_set, type_name, found, keys)
                continue
            assert isinstance(selection, InlineFragmentNode)
            condition = selection.type_condition
            if condition is not None and condition.name.value != type_name:
                raise NotCompiled("an inline fragment on another type")
            self._collect(selection.selection_set, type_name, found, keys)

    # -- parameters and aliases ----------------------------------------------------------------

    def _alias(self) -> str:
        self.aliases += 1
        return f"t{self.aliases}"

    def _bind(self, count: int, binder: Binder) -> int:
        """Reserve ``count`` placeholders for ``binder``; the offset to add to ``$1…$count``."""
        offset = self.next_param - 1
        self.next_param += count

        def checked(variables: VariableValues, principal: Principal) -> list[Any]:
            params = binder(variables, principal)
            if len(params) != count:
                raise RuntimeError(f"a binder gave {len(params)} parameters for {count} placeholders")
            return params

        self.binders.append(checked)
        return offset

    @staticmethod
    def _field_binder(definition: GraphQLField, node: FieldNode, bind: Bind) -> Binder:
        def binder(variables: VariableValues, principal: Principal) -> list[Any]:
            return list(bind(get_argument_values(definition, node, variables), principal))

        return binder

    # -- objects ---------------------------------------------------------------------------------

    def _object(self, type_name: str, selection_set: SelectionSetNode | None, alias: str) -> str:
        mapped = self.mappings.types.get(type_name)
        graphql_type = self.schema.get_type(type_name)
        if mapped is None or not isinstance(graphql_type, GraphQLObjectType):
            raise NotCompiled(f"type {type_name} is not mapped")
        members: list[tuple[str, str]] = []
        for node in self._fields(selection_set, type_name):
            key = (node.alias or node.name).value
            name = node.name.value
            if name == "__typename":
                members.append((key, _typename(type_name)))
                continue
            declared = mapped.fields.get(name)
            if declared is None:
                raise NotCompiled(f"{type_name}.{name} is not mapped")
            definition = graphql_type.fields[name]
            if not self._permitted(definition, f"{type_name}.{name}"):
                # As the permission answers with fail_silently: nothing runs, nothing is checked.
                members.append((key, "'[]'" if isinstance(declared, Many) else json_sql.NULL))
                continue
            members.append((key, self._member(declared, node, definition, alias)))
        return json_sql.obj(members)

    def _may(self, sql: str) -> str:
        """``{may:obj:act}`` as the role set's answer (the plan is made per role set)."""
        return _MAY.sub(lambda m: "true" if self.allows(m[1], m[2]) else "false", sql)

    def _member(self, declared: Field, node: FieldNode, definition: GraphQLField, alias: str) -> str:
        if isinstance(declared, Scalar):
            return json_sql.scalar(self._may(declared.sql).replace("{t}", alias), declared.kind)
        inner = self._alias()
        source = self._may(declared.source).replace("{t}", alias).replace("{o}", inner)
        count = _placeholders(source)
        if count:
            source = _renumber(source, self._bind(count, self._field_binder(definition, node, declared.bind)))
        value = self._object(declared.type, node.selection_set, inner)
        if isinstance(declared, One):
            return f"coalesce((SELECT {value} {source}), {json_sql.NULL})"
        return f"('[' || array_to_string(ARRAY(SELECT {value} {source}), ',') || ']')"

    # -- roots -----------------------------------------------------------------------------------

    def _object_root(self, root: ObjectRoot, node: FieldNode, definition: GraphQLField) -> str:
        alias = self._alias()
        rows = _renumber(
            root.rows, self._bind(_placeholders(root.rows), self._field_binder(definition, node, root.bind))
        )
        # No row: NULL, and the whole statement answers NULL, so the interpreter answers
        # (NOT_FOUND with its message and path).
        return f"(SELECT {self._object(root.type, node.selection_set, alias)} FROM ({rows}) AS {alias})"

    def _connection(self, root: ConnectionRoot, node: FieldNode, definition: GraphQLField) -> str:
        connection_type = get_named_type(definition.type)
        assert isinstance(connection_type, GraphQLObjectType)
        edge_type = get_named_type(connection_type.fields["edges"].type)
        page_info_type = get_named_type(connection_type.fields["pageInfo"].type)
        filters = _placeholders(root.rows) - 2
        settings, keyset, bind = self.settings, root.keyset, root.bind

        def binder(variables: VariableValues, principal: Principal) -> list[Any]:
            args = get_argument_values(definition, node, variables)
            first = page_size(args.get("first"), settings)
            after = keyset.key(args.get("after"))
            return [*bind(args, principal), after, first + 1]

        offset = self._bind(filters + 2, binder)
        limit = f"${offset + filters + 2}"
        size = f"({limit} - 1)"
        alias = self._alias()
        key = root.key.replace("{t}", alias)
        edges_value: str | None = None
        cursor_needed = False
        members: list[tuple[str, str]] = []
        for field in self._fields(node.selection_set, connection_type.name):
            name, response_key = field.name.value, (field.alias or field.name).value
            if name == "__typename":
                members.append((response_key, _typename(connection_type.name)))
            elif name == "totalCount":
                count = _renumber(root.count, offset)
                members.append((response_key, f"(({count}))::text"))
            elif name == "edges":
                if edges_value is not None:
                    raise NotCompiled("edges selected twice")
                edge_members: list[tuple[str, str]] = []
                for edge_field in self._fields(field.selection_set, edge_type.name):
                    edge_name, edge_key = edge_field.name.value, (edge_field.alias or edge_field.name).value
                    if edge_name == "__typename":
                        edge_members.append((edge_key, _typename(edge_type.name)))
                    elif edge_name == "cursor":
                        edge_members.append((edge_key, json_sql.cursor(keyset.kind, key)))
                    elif edge_name == "node":
                        edge_members.append(
                            (edge_key, self._object(root.type, edge_field.selection_set, alias))
                        )
                    else:
                        raise NotCompiled(f"{edge_type.name}.{edge_name}")
                edges_value = json_sql.obj(edge_members)
                members.append(
                    (
                        response_key,
                        f"('[' || coalesce(string_agg(page.edge, ',' ORDER BY page.n)"
                        f" FILTER (WHERE page.n <= {size}), '') || ']')",
                    )
                )
            elif name == "pageInfo":
                info_members: list[tuple[str, str]] = []
                for info_field in self._fields(field.selection_set, page_info_type.name):
                    info_name, info_key = info_field.name.value, (info_field.alias or info_field.name).value
                    if info_name == "__typename":
                        info_members.append((info_key, _typename(page_info_type.name)))
                    elif info_name == "hasNextPage":
                        info_members.append(
                            (info_key, f"CASE WHEN count(page.n) > {size} THEN 'true' ELSE 'false' END")
                        )
                    elif info_name == "endCursor":
                        cursor_needed = True
                        info_members.append(
                            (
                                info_key,
                                "coalesce((array_agg(page.cursor ORDER BY page.n DESC)"
                                f" FILTER (WHERE page.n <= {size}))[1], {json_sql.NULL})",
                            )
                        )
                    else:
                        raise NotCompiled(f"{page_info_type.name}.{info_name}")
                members.append((response_key, json_sql.obj(info_members)))
            else:
                raise NotCompiled(f"{connection_type.name}.{name}")
        rows = _renumber(root.rows, offset)
        cursor = json_sql.cursor(keyset.kind, key) if cursor_needed else "NULL::text"
        page = (
            f"SELECT {edges_value or 'NULL::text'} AS edge, {cursor} AS cursor,"
            f" row_number() OVER (ORDER BY {key}{' DESC' if root.descending else ''}) AS n"
            f" FROM ({rows}) AS {alias}"
        )
        value = json_sql.obj(members)
        if root.guard is not None:
            # NULL makes the whole statement NULL: the interpreter answers with its error.
            guard = _renumber(
                root.guard,
                self._bind(_placeholders(root.guard), self._field_binder(definition, node, root.guard_bind)),
            )
            value = f"CASE WHEN {guard} THEN {value} END"
        # One row even when nothing aggregates the page (only totalCount selected, say).
        return f"(SELECT {value} FROM ({page}) AS page GROUP BY ())"


def compile_plan(
    schema: GraphQLSchema,
    mappings: Mappings,
    settings: Settings,
    document: DocumentNode,
    operation_name: str | None,
    allows: Callable[[str, str], bool],
) -> Plan:
    """The plan of ``document``'s operation for a role set; ``NotCompiled`` if it has none."""
    return Compiler(schema, mappings, settings, document, allows).compile(operation_name)


__all__: Sequence[str] = ["Binder", "NotCompiled", "Plan", "compile_plan"]
