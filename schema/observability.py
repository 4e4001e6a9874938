"""What one GraphQL operation leaves behind: its metrics, and its span's attributes."""

from __future__ import annotations

from opentelemetry.trace import Span, Status, StatusCode
from strawberry.types import ExecutionResult

from schema.errors import is_request_error
from services.core.metrics import observe_graphql


def outcome_of(result: ExecutionResult) -> str:
    """``ok`` (no errors), ``rejected`` (refused before execution: HTTP 400) or ``error``."""
    if not result.errors:
        return "ok"
    if result.data is None and all(map(is_request_error, result.errors)):
        return "rejected"
    return "error"


def observe_result(span: Span, operation: str | None, result: ExecutionResult, seconds: float) -> None:
    """Count the operation, its latency and its errors' codes; annotate its span."""
    outcome = outcome_of(result)
    codes = [
        str((error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")) for error in result.errors or ()
    ]
    observe_graphql(operation, outcome, seconds, codes)
    if span.is_recording():
        span.set_attribute("graphql.operation.name", operation or "")
        span.set_attribute("alliance.outcome", outcome)
        if codes:
            span.set_attribute("alliance.error_codes", codes)
        if outcome != "ok":
            span.set_status(Status(StatusCode.ERROR, codes[0]))


def _code(extensions: dict[str, object] | None) -> str:
    # Every error is coded by schema.errors.classify before it gets here.
    return str((extensions or {}).get("code", "INTERNAL_SERVER_ERROR"))
