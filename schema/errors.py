"""One place that turns failures into GraphQL errors with ``extensions.code``."""

from __future__ import annotations

import logging

import asyncpg
from graphql import GraphQLError
from graphql.error import GraphQLSyntaxError

from services.core.errors import DomainError

log = logging.getLogger(__name__)

MASKED_MESSAGE = "Unexpected error."
# graphql-core's wording for variables whose values do not fit their declared types.
_COERCION_MARKERS = ("invalid value", "was not provided", "must not be null")


def classify(error: GraphQLError) -> GraphQLError:
    """Give ``error`` a code; mask (and log) anything unexpected."""
    original = error.original_error
    if isinstance(original, DomainError):
        extensions: dict[str, object] = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        error.extensions = extensions
        return error
    if original is None or isinstance(original, GraphQLError):
        if error.extensions and "code" in error.extensions:
            return error
        if isinstance(error, GraphQLSyntaxError) or error.message.startswith("Syntax Error"):
            code = "GRAPHQL_PARSE_FAILED"
        elif error.message.startswith("Variable '$") and any(
            marker in error.message for marker in _COERCION_MARKERS
        ):
            code = "BAD_USER_INPUT"
        else:
            code = "GRAPHQL_VALIDATION_FAILED"
        error.extensions = {**(error.extensions or {}), "code": code}
        return error
    if isinstance(original, asyncpg.QueryCanceledError):
        # DB_STATEMENT_TIMEOUT_MS ran out: the caller may retry later; the operator reads the log.
        log.warning("statement cancelled in %s: %s", error.path, original)
        return _replaced(error, "The request took too long and was cancelled.", "TIMEOUT")
    log.error("unexpected error in %s", error.path, exc_info=original)
    return _replaced(error, MASKED_MESSAGE, "INTERNAL_SERVER_ERROR")


def _replaced(error: GraphQLError, message: str, code: str) -> GraphQLError:
    """``error`` at the same place, with only ``message`` and ``code`` for the client."""
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code},
    )


def is_request_error(error: GraphQLError) -> bool:
    """Errors found before execution (parse, validation, limits): HTTP 400 territory."""
    original = error.original_error
    return error.path is None and (original is None or isinstance(original, GraphQLError))


def classify_result(result: object) -> None:
    """Classify the errors of an execution result in place."""
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [classify(error) for error in errors]  # type: ignore[attr-defined]
