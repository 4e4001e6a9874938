"""The limit rules: one pass over the document for depth, aliases, spreads, size and cost.

The rules are classes made once per schema (``limit_rules``): the validation cache is keyed by
the rule classes too, so classes made per request would miss it on every request.
"""

from __future__ import annotations

import time
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)
from graphql.validation.validate import ValidationAbortedError

from schema.limits.budget import BudgetExceeded, deadline
from schema.limits.measure import SATURATED, DocumentMeasure, Measure, fragment_spreads
from services.core.settings import GraphQLLimits

CHECK_EVERY = 64
"""Nodes visited between two looks at the clock: a look costs about as much as 64 visits."""


def limit_rules(limits: GraphQLLimits) -> list[type[ASTValidationRule]]:
    """The limit rules for ``limits``: the clock first, then the document limits."""
    return [_budget_rule(), _document_limits_rule(limits)]


def _amount(value: int) -> str:
    return f"more than {SATURATED}" if value >= SATURATED else str(value)


def _violations(limits: GraphQLLimits, name: str, measure: Measure) -> list[str]:
    found = []
    if measure.depth > limits.max_depth:
        found.append(f"'{name}' exceeds maximum operation depth of {limits.max_depth}")
    if measure.aliases > limits.max_aliases:
        found.append(f"{_amount(measure.aliases)} aliases found. Allowed: {limits.max_aliases}")
    if measure.fields > limits.max_expanded_fields:
        found.append(
            f"'{name}' expands to {_amount(measure.fields)} fields once its fragments are spread; "
            f"the maximum is {limits.max_expanded_fields}."
        )
    if measure.cost > limits.max_cost:
        found.append(
            f"Query cost {_amount(measure.cost)} exceeds the maximum of {limits.max_cost}; ask for less."
        )
    return found


def _document_limits_rule(limits: GraphQLLimits) -> type[ValidationRule]:
    class DocumentLimits(ValidationRule):
        """Refuses documents over a limit before graphql-core's own rules walk them.

        The measure runs when the rule is made, before the visit; a violation stops the visit
        at its first node, so a hostile document costs one linear pass and nothing more.
        """

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.violations: list[tuple[str, Node]] = []
            document = context.document
            spreads = sum(
                len(fragment_spreads(getattr(d, "selection_set", None))) for d in document.definitions
            )
            if spreads > limits.max_fragment_spreads:
                self.violations.append(
                    (
                        f"The document has {spreads} fragment spreads; "
                        f"the maximum is {limits.max_fragment_spreads}.",
                        document,
                    )
                )
                return
            try:
                measure = DocumentMeasure(context.schema, document, limits.max_page_size)
                for definition in document.definitions:
                    if isinstance(definition, OperationDefinitionNode):
                        name = definition.name.value if definition.name else "anonymous"
                        found = _violations(limits, name, measure.operation(definition))
                        self.violations.extend((message, definition) for message in found)
            except RecursionError:
                self.violations.append(("The document is nested too deeply.", document))

        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            if not self.violations:
                return
            *reported, (last, last_node) = self.violations
            for message, at in reported:
                self.report_error(GraphQLError(message, None if at is node else at))
            raise ValidationAbortedError(last, None if last_node is node else last_node)

    return DocumentLimits


def _budget_rule() -> type[ValidationRule]:
    class PreExecutionBudget(ValidationRule):
        """Stops validation once the operation's pre-execution time budget is spent.

        It looks at the clock every ``CHECK_EVERY`` nodes of the walk. Going over raises
        ``BudgetExceeded`` out of validation: an exception, not a reported error, so that the
        validation cache does not keep a refusal that depended on how busy the machine was.
        """

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.deadline = deadline()
            self.countdown = CHECK_EVERY

        def enter(self, *_: Any) -> None:
            self.countdown -= 1
            if self.countdown:
                return
            self.countdown = CHECK_EVERY
            if self.deadline is not None and time.perf_counter() > self.deadline:
                raise BudgetExceeded

    return PreExecutionBudget
