"""Co-building mutations, one module per aggregate; each is one transaction with its audit row
and its event."""

from __future__ import annotations

import strawberry

from schema.cobuilding.mutations.agreements import AgreementMutation
from schema.cobuilding.mutations.dimensions import DimensionMutation
from schema.cobuilding.mutations.projects import ProjectMutation


@strawberry.type
class CobuildingMutation(DimensionMutation, AgreementMutation, ProjectMutation):
    pass
