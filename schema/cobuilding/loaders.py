"""Request-scoped DataLoaders of co-building: one query per level of a response, not per row."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from schema.context import Context
from schema.loading import grouped_loader
from services.cobuilding import parts, reads
from services.cobuilding.models import (
    AgreementVersion,
    Commitment,
    Contribution,
    Evaluation,
    Milestone,
    Project,
    Signature,
)


def versions_loader(context: Context) -> DataLoader[uuid.UUID, list[AgreementVersion]]:
    return grouped_loader(
        context, "cobuilding_versions", lambda c, ids: reads.versions_of(c, agreement_ids=ids)
    )


def commitments_loader(context: Context) -> DataLoader[reads.VersionKey, list[Commitment]]:
    return grouped_loader(
        context, "cobuilding_commitments", lambda c, keys: reads.commitments_of(c, keys=keys)
    )


def signatures_loader(context: Context) -> DataLoader[reads.VersionKey, list[Signature]]:
    return grouped_loader(context, "cobuilding_signatures", lambda c, keys: reads.signatures_of(c, keys=keys))


def projects_loader(context: Context) -> DataLoader[uuid.UUID, list[Project]]:
    return grouped_loader(
        context, "cobuilding_projects", lambda c, ids: reads.projects_of(c, agreement_ids=ids)
    )


def milestones_loader(context: Context) -> DataLoader[uuid.UUID, list[Milestone]]:
    return grouped_loader(
        context, "cobuilding_milestones", lambda c, ids: parts.milestones_of(c, project_ids=ids)
    )


def contributions_loader(context: Context) -> DataLoader[uuid.UUID, list[Contribution]]:
    return grouped_loader(
        context, "cobuilding_contributions", lambda c, ids: parts.contributions_of(c, project_ids=ids)
    )


def evaluations_loader(context: Context) -> DataLoader[uuid.UUID, list[Evaluation]]:
    return grouped_loader(
        context, "cobuilding_evaluations", lambda c, ids: parts.evaluations_of(c, agreement_ids=ids)
    )
