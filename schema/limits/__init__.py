"""Limits on what one GraphQL document may ask, checked before anything runs.

- ``measure``: depth, aliases, expanded size and cost, linear in the document's size;
- ``rules``: the validation rules refusing what passes a limit, and the time budget rule;
- ``validation``: validation off the event loop, cached, within the pre-execution budget.
"""

from __future__ import annotations

from schema.limits.measure import operation_cost
from schema.limits.rules import limit_rules
from schema.limits.validation import BoundedValidation, validation_results

__all__ = ["BoundedValidation", "limit_rules", "operation_cost", "validation_results"]
