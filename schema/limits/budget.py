"""The pre-execution time budget: when an operation's parse and validation must be done by."""

from __future__ import annotations

from contextvars import ContextVar

from graphql import GraphQLError

_deadline: ContextVar[float | None] = ContextVar("graphql_pre_execution_deadline", default=None)


def deadline() -> float | None:
    """The ``time.perf_counter()`` by which the current operation must be validated, if any."""
    return _deadline.get()


def set_deadline(value: float) -> None:
    _deadline.set(value)


class BudgetExceeded(GraphQLError):
    """Parsing and validating the document took longer than the pre-execution budget."""

    def __init__(self) -> None:
        super().__init__(
            "The document took too long to validate (over the pre-execution time budget); "
            "send a smaller or simpler one."
        )
