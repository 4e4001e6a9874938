"""What an operation would expand to: depth, aliases, fields and cost, each fragment measured once.

Expanding fragment spreads at every use is exponential: ``fragment F0 on Query { ...F1 ...F1 }``
doubles with each level, so 22 levels (848 bytes) expand to four million fields. Here each
fragment's contribution is measured once, bottom-up over the spread graph, and every spread of it
adds that measure; the work is linear in the size of the document whatever it expands to.

Cost: each field costs 1; a field with a ``first`` argument multiplies its selection by that
number (by the maximum page size when it comes from a variable, since validation results are
cached per query text); any other list field multiplies by ``LIST_FACTOR``. Connection ``edges``
are not counted twice. Introspection fields cost 1 each, and their selections count for the
expanded size and aliases only: the depth limit and graphql-core's introspection depth rule bound
them.

The document may be invalid in any way graphql-core's own rules report (unknown fragments,
types or fields, cycles, fragments on scalars): the measure then counts what it can and never
fails, and those rules report the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

LIST_FACTOR = 10
SATURATED = 1 << 62
"""Measures stop growing here: a hostile document must not make the arithmetic itself costly."""


def _cap(value: int) -> int:
    return value if value < SATURATED else SATURATED


@dataclass(frozen=True, slots=True)
class Measure:
    """What one selection set amounts to once every fragment spread in it is expanded."""

    depth: int = 0  # nesting of fields with selections; introspection fields do not count
    aliases: int = 0
    fields: int = 0
    cost: int = 0

    def plus(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth),
            _cap(self.aliases + other.aliases),
            _cap(self.fields + other.fields),
            _cap(self.cost + other.cost),
        )


NOTHING = Measure()


def fragment_spreads(selection_set: SelectionSetNode | None) -> list[str]:
    """The names spread in a selection set and its nested ones, without recursion."""
    names: list[str] = []
    pending = [selection_set] if selection_set is not None else []
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif selection.selection_set is not None:  # type: ignore[attr-defined]
                pending.append(selection.selection_set)  # type: ignore[attr-defined]
    return names


def _bottom_up(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Fragment names ordered so that each comes after the fragments it spreads (cycles cut)."""
    spreads = {name: fragment_spreads(fragment.selection_set) for name, fragment in fragments.items()}
    order: list[str] = []
    done: set[str] = set()
    for root in fragments:
        if root in done:
            continue
        path = [(root, iter(spreads[root]))]
        on_path = {root}
        while path:
            name, children = path[-1]
            for child in children:
                if child in spreads and child not in done and child not in on_path:
                    path.append((child, iter(spreads[child])))
                    on_path.add(child)
                    break
            else:
                path.pop()
                on_path.discard(name)
                done.add(name)
                order.append(name)
    return order


class DocumentMeasure:
    """Measures the operations of one document; ``visited`` counts the selections looked at."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, max_page_size: int) -> None:
        self.schema = schema
        self.max_page_size = max_page_size
        self.visited = 0
        fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments.setdefault(definition.name.value, definition)  # duplicates: another rule
        # A spread of a fragment not measured yet is an unknown fragment or closes a cycle;
        # it adds nothing, and graphql-core's rules report it.
        self.fragments: dict[str, Measure] = {}
        for name in _bottom_up(fragments):
            fragment = fragments[name]
            target = self.schema.get_type(fragment.type_condition.name.value)
            self.fragments[name] = self.selection_set(fragment.selection_set, target)

    def operation(self, node: OperationDefinitionNode) -> Measure:
        return self.selection_set(node.selection_set, self.schema.get_root_type(node.operation))

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Measure:
        total = NOTHING
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            self.visited += 1
            if isinstance(selection, FieldNode):
                total = total.plus(self._field(selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total = total.plus(self.selection_set(selection.selection_set, target))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.plus(self.fragments.get(selection.name.value, NOTHING))
        return total

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Measure:
        name = node.name.value
        alias = 1 if node.alias else 0
        fields: dict[str, Any] = getattr(parent, "fields", None) or {}
        definition = fields.get(name)  # None: introspection or unknown (another rule reports it)
        inner_type = get_named_type(definition.type) if definition is not None else None
        inner = self.selection_set(node.selection_set, inner_type)
        introspection = name.startswith("__")
        depth = 0 if introspection or node.selection_set is None else 1 + inner.depth
        if introspection:
            cost = 1
        else:
            factor = self._factor(node, definition.type if definition is not None else None, name)
            cost = _cap(1 + factor * inner.cost)
        return Measure(depth, _cap(alias + inner.aliases), _cap(1 + inner.fields), cost)

    def _factor(self, node: FieldNode, type_: Any, name: str) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                if isinstance(argument.value, IntValueNode):
                    try:
                        return min(max(1, int(argument.value.value)), SATURATED)
                    except ValueError:  # not an integer graphql-core accepts; it reports that
                        return self.max_page_size
                return self.max_page_size
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if name == "edges" or not isinstance(type_, GraphQLList):
            return 1
        return LIST_FACTOR


def operation_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, max_page_size: int
) -> int:
    """The cost of the operation a request runs (the document's costliest when it is ambiguous)."""
    measure = DocumentMeasure(schema, document, max_page_size)
    costs = [
        measure.operation(definition).cost
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and (
            operation_name is None
            or (definition.name is not None and definition.name.value == operation_name)
        )
    ]
    return max(costs, default=0)
