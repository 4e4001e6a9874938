"""The co-building domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.cobuilding.compiled import COMPILED
from schema.cobuilding.mutations import CobuildingMutation as Mutation
from schema.cobuilding.queries import CobuildingQuery as Query
from schema.cobuilding.types import (
    CobuildingAgreement,
    CobuildingDimension,
    CobuildingEvaluation,
    CobuildingProject,
    Contribution,
    Milestone,
)
from schema.cobuilding.viewer import CobuildingViewerQuery as QueryRefinement
from schema.nodes import NodeType

# The node types this domain answers by node(id) (全局对象标识), each through its own root field.
NODES = (
    NodeType(CobuildingAgreement, table="cobuilding_agreements", root="cobuilding_agreement"),
    NodeType(CobuildingProject, table="cobuilding_projects", root="cobuilding_project"),
    NodeType(Milestone, table="cobuilding_milestones", root="milestone"),
    NodeType(Contribution, table="cobuilding_contributions", root="contribution"),
    NodeType(CobuildingEvaluation, table="cobuilding_evaluations", root="cobuilding_evaluation"),
    NodeType(CobuildingDimension, table="cobuilding_dimensions", root="cobuilding_dimension"),
)

__all__ = ["COMPILED", "NODES", "Mutation", "Query", "QueryRefinement"]
