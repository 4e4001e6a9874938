"""Checking a document for registration: parsed, validated against the schema as it is now,
within the same limits as any request, and measured."""

from __future__ import annotations

from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, parse, validate
from graphql.validation import specified_rules

from schema.limits import limit_rules, operation_cost
from services.core.errors import BadUserInput
from services.core.settings import Settings


def checked_cost(schema: object, document: str, settings: Settings) -> int:
    """The document's cost; BAD_USER_INPUT (field "document") if it would be refused."""
    graphql_schema = schema._schema  # type: ignore[attr-defined]  # Strawberry's graphql-core schema
    limits = settings.limits
    try:
        parsed = parse(document, max_tokens=limits.max_tokens)
    except GraphQLSyntaxError as exc:
        raise BadUserInput(f"the document does not parse: {exc.message}", field="document") from None
    if not any(isinstance(d, OperationDefinitionNode) for d in parsed.definitions):
        raise BadUserInput("the document holds no operation", field="document")
    errors: list[GraphQLError] = validate(
        graphql_schema, parsed, [*specified_rules, *limit_rules(limits)], max_errors=5
    )
    if errors:
        raise BadUserInput(f"the document is not valid: {errors[0].message}", field="document")
    return operation_cost(graphql_schema, parsed, None, limits.max_page_size)
