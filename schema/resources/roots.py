"""The resources domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.resources.compiled import COMPILED
from schema.resources.mutations import ResourcesMutation as Mutation
from schema.resources.queries import ResourcesQuery as Query

__all__ = ["COMPILED", "Mutation", "Query"]
