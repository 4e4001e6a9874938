"""The co-building domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.cobuilding.compiled import COMPILED
from schema.cobuilding.mutations import CobuildingMutation as Mutation
from schema.cobuilding.queries import CobuildingQuery as Query
from schema.cobuilding.viewer import CobuildingViewerQuery as QueryRefinement

__all__ = ["COMPILED", "Mutation", "Query", "QueryRefinement"]
