"""The rules of ``schema.scalars``, applied to every input before any resolver runs.

- Literals in the document are checked by ``CheckedValuesRule``, which takes the place of
  graphql-core's ``ValuesOfCorrectTypeRule`` (so it is cached with the document's validation).
- Variable values are checked by ``InputChecks`` before execution. It also names the field of
  graphql-core's own coercion errors (a wrong type, a missing required field), which carry the
  variable only in their message.

Every failure answers BAD_USER_INPUT (or GRAPHQL_VALIDATION_FAILED for a literal of the wrong
type, as before) with ``extensions.field``: the innermost input field or argument that holds
the value. A value at the root of a variable is named by where the operation uses it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from graphql import (
    BREAK,
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLInputType,
    ListValueNode,
    Node,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    Undefined,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    VisitorAction,
    get_operation_ast,
    type_from_ast,
    visit,
)
from graphql.language import SKIP
from graphql.utilities import validate_input_value
from graphql.utilities.validate_input_value import validate_input_literal
from graphql.validation import ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension

from schema.scalars import InvalidInput, strings_in, text_problem

Path = Sequence[str | int]


def _innermost(path: Path, owner: str | None) -> str | None:
    """The last input field name in ``path``, else ``owner`` (argument or variable)."""
    for key in reversed(path):
        if isinstance(key, str):
            return key
    return owner


def _with_field(error: GraphQLError, field: str | None) -> GraphQLError:
    if field and not (error.extensions or {}).get("field"):
        error.extensions = {**(error.extensions or {}), "field": field}
    return error


def _literal_strings(node: ValueNode, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Path, str]]:
    if isinstance(node, StringValueNode):
        yield path, node.value
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            yield from _literal_strings(item, (*path, index))
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            yield from _literal_strings(field.value, (*path, field.name.value))


class CheckedValuesRule(ValuesOfCorrectTypeRule):
    """Literals of the right type (graphql-core's rule), holding acceptable text, with the
    field of every error named."""

    _owner: str | None = None

    def enter_argument(self, node: ArgumentNode, *_args: object) -> None:
        self._owner = node.name.value

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: object) -> None:
        self._owner = node.variable.name.value

    def is_valid_value_node(self, node: ValueNode, input_type: GraphQLInputType | None) -> VisitorAction:
        owner = self._owner
        for path, text in _literal_strings(node):
            problem = text_problem(text)
            if problem is not None:
                # Reported alone: other messages would quote the offending text back.
                self.report_error(_located(InvalidInput(problem, field=_innermost(path, owner)), node))
                return SKIP
        if input_type:

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                self.report_error(_located(_with_field(error, _innermost(path, owner)), node))

            validate_input_literal(node, input_type, on_error, None, None, self.context.hide_suggestions)
        return SKIP


def _located(error: GraphQLError, node: Node) -> GraphQLError:
    """``error`` pointing at the literal (a scalar's own error does not know where it is)."""
    if error.nodes:
        return error
    return GraphQLError(error.message, node, original_error=error, extensions=error.extensions)


def _use_of(document: DocumentNode, name: str) -> str:
    """The argument or input field where the operation first uses variable ``name``."""
    found: list[str] = []

    class Finder(Visitor):
        def enter_variable(
            self, node: VariableNode, _key: object, parent: object, _path: object, ancestors: list[Any]
        ) -> VisitorAction:
            if node.name.value != name:
                return None
            for holder in reversed([*ancestors, parent]):
                if isinstance(holder, ArgumentNode | ObjectFieldNode):
                    found.append(holder.name.value)
                    return BREAK
            return None

    visit(document, Finder())
    return found[0] if found else name


class InputChecks(SchemaExtension):
    """Literals checked by ``CheckedValuesRule``; variable values checked before execution."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        rules = context.validation_rules
        context.validation_rules = tuple(
            CheckedValuesRule if rule is ValuesOfCorrectTypeRule else rule for rule in rules
        )
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        variables = context.variables or {}
        operation = get_operation_ast(document, context.operation_name) if document else None
        if document is None or operation is None:
            yield
            return
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            for path, text in strings_in(variables.get(name)):
                problem = text_problem(text)
                if problem is not None:
                    raise InvalidInput(problem, field=_innermost(path, None) or _use_of(document, name))
        yield
        result = context.result
        errors = getattr(result, "errors", None)
        if errors and getattr(result, "data", None) is None:
            for error in errors:
                self._name_coercion_error(error, document, variables)

    def _name_coercion_error(
        self, error: GraphQLError, document: DocumentNode, variables: dict[str, Any]
    ) -> None:
        """Name the field of a variable that graphql-core refused while coercing it."""
        definition = error.nodes[0] if error.nodes else None
        if not isinstance(definition, VariableDefinitionNode):
            return
        name = definition.variable.name.value
        paths: list[list[str | int]] = []
        var_type = type_from_ast(self.execution_context.schema._schema, definition.type)
        value = variables.get(name, Undefined)
        if var_type is not None and value is not Undefined:
            validate_input_value(value, var_type, lambda _error, path: paths.append(path))  # type: ignore[arg-type]
        _with_field(error, _innermost(paths[0], None) if paths else None)
        _with_field(error, _use_of(document, name))
