"""The councils domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.councils.compiled import COMPILED
from schema.councils.mutations import CouncilsMutation as Mutation
from schema.councils.queries import CouncilsQuery as Query

__all__ = ["COMPILED", "Mutation", "Query"]
