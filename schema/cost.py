"""Query cost limit: lists multiply the cost of what is selected inside them.

Depth, alias and token limits do not stop ``organizations(first: 100) { … children { … } }``
from asking for a hundred times a hundred rows. Each field costs 1; a field with a ``first``
argument multiplies its selection by that number (by the maximum page size when it comes from
a variable, since validation results are cached per query text); any other list field
multiplies by ``LIST_FACTOR``. Connection ``edges`` are not counted twice.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)

LIST_FACTOR = 10


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class _Estimator:
    def __init__(self, context: ValidationContext, max_page_size: int) -> None:
        self.context = context
        self.max_page_size = max_page_size
        self.fragments = {
            d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def cost(self, selection_set: SelectionSetNode | None, parent: Any, seen: frozenset[str]) -> int:
        if selection_set is None or not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.context.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(selection.selection_set, target, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # other rules report unknown or cyclic fragments
                target = self.context.schema.get_type(fragment.type_condition.name.value)
                total += self.cost(fragment.selection_set, target, seen | {name})
        return total

    def _field(
        self, node: FieldNode, parent: GraphQLObjectType | GraphQLInterfaceType, seen: frozenset[str]
    ) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 1  # introspection is bounded by the depth limit
        definition = parent.fields.get(name)
        if definition is None:
            return 1  # other rules report unknown fields
        inner = self.cost(node.selection_set, get_named_type(definition.type), seen)
        return 1 + self._factor(node, definition.type, name) * inner

    def _factor(self, node: FieldNode, type_: Any, name: str) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                if isinstance(argument.value, IntValueNode):
                    return max(1, int(argument.value.value))
                return self.max_page_size
        if name == "edges" or not _is_list(type_):
            return 1
        return LIST_FACTOR


def cost_rule(max_cost: int, max_page_size: int) -> type[ValidationRule]:
    """The validation rule refusing operations whose estimated cost passes ``max_cost``.

    Made once per schema and added with the other limits (``AddValidationRules``): the
    validation cache is keyed by the rule classes, so a class made per request would miss it.
    """

    class CostRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            estimate = _Estimator(self.context, max_page_size).cost(node.selection_set, root, frozenset())
            if estimate > max_cost:
                self.report_error(
                    GraphQLError(
                        f"Query cost {estimate} exceeds the maximum of {max_cost}; ask for less.",
                        node,
                    )
                )

    return CostRule
