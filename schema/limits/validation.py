"""Validation off the event loop, cached, within a time budget.

graphql-core's validation is synchronous, and some of its own rules are quadratic in parts of
a document (overlapping fields, for one); a small hostile document can keep them busy for
hundreds of milliseconds. Validation therefore runs in a small thread pool of its own, so that
the event loop keeps serving other requests meanwhile. The operation's pre-execution budget
starts when the operation does (parsing included); the caller gets its refusal when the budget
is spent, and the budget rule stops the validation thread at its next look at the clock.

Results are cached by schema, document and rule classes, as Strawberry's ``ValidationCache``
does, and a cached document is answered on the event loop without the thread hop. Refusals
caused by the clock are not cached: they depend on how busy the machine was.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from functools import partial
from typing import Any

from graphql import GraphQLError
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.limits.budget import BudgetExceeded, deadline, set_deadline

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="graphql-validation")


class ValidationResults:
    """A bounded LRU map from (schema, document, rules) to validation errors, used on the loop."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.entries: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> list[GraphQLError] | None:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self.entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], errors: list[GraphQLError]) -> None:
        self.entries[key] = errors
        self.entries.move_to_end(key)
        while len(self.entries) > self.maxsize:
            self.entries.popitem(last=False)


validation_results = ValidationResults(maxsize=512)


class BoundedValidation(SchemaExtension):
    """Starts the pre-execution clock and validates off the loop (async execution only)."""

    def __init__(self, *, budget_ms: int) -> None:
        super().__init__()
        self.budget = budget_ms / 1000

    def on_operation(self) -> Iterator[None]:
        set_deadline(time.perf_counter() + self.budget)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        schema = context.schema._schema
        document = context.graphql_document
        assert document is not None  # parsing comes first; a parse error never reaches here
        rules = tuple(context.validation_rules)
        key = (schema, document, rules)
        errors = validation_results.get(key)
        if errors is None:
            job = partial(copy_context().run, validate_document, schema, document, rules)
            remaining = max(0.0, (deadline() or time.perf_counter() + self.budget) - time.perf_counter())
            try:
                errors = await asyncio.wait_for(
                    asyncio.get_running_loop().run_in_executor(_executor, job), remaining
                )
            except (TimeoutError, BudgetExceeded):
                errors = [BudgetExceeded()]
            else:
                validation_results.put(key, errors)
        context.pre_execution_errors = errors
        yield
