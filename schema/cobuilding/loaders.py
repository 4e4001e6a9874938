"""Request-scoped DataLoaders of co-building: one query per level of a response, not per row."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from schema.context import Context
from services.cobuilding import reads
from services.cobuilding.models import (
    AgreementVersion,
    Commitment,
    Contribution,
    Evaluation,
    Milestone,
    Project,
    Signature,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Batch = Callable[..., Awaitable[Mapping[Any, list[Any]]]]


def _lists(
    context: Context,
    name: str,
    batch: Callable[[asyncpg.Connection, list[K]], Awaitable[Mapping[K, list[V]]]],
) -> DataLoader[K, list[V]]:
    if name not in context.loaders:

        async def load(keys: Sequence[K]) -> list[list[V]]:
            async with context.db() as conn:
                found = await batch(conn, list(keys))
            return [list(found.get(key, [])) for key in keys]

        context.loaders[name] = DataLoader(load_fn=load)
    loader: DataLoader[K, list[V]] = context.loaders[name]
    return loader


def versions_loader(context: Context) -> DataLoader[uuid.UUID, list[AgreementVersion]]:
    return _lists(context, "cobuilding_versions", lambda c, ids: reads.versions_of(c, agreement_ids=ids))


def commitments_loader(context: Context) -> DataLoader[reads.VersionKey, list[Commitment]]:
    return _lists(context, "cobuilding_commitments", lambda c, keys: reads.commitments_of(c, keys=keys))


def signatures_loader(context: Context) -> DataLoader[reads.VersionKey, list[Signature]]:
    return _lists(context, "cobuilding_signatures", lambda c, keys: reads.signatures_of(c, keys=keys))


def projects_loader(context: Context) -> DataLoader[uuid.UUID, list[Project]]:
    return _lists(context, "cobuilding_projects", lambda c, ids: reads.projects_of(c, agreement_ids=ids))


def milestones_loader(context: Context) -> DataLoader[uuid.UUID, list[Milestone]]:
    return _lists(context, "cobuilding_milestones", lambda c, ids: reads.milestones_of(c, project_ids=ids))


def contributions_loader(context: Context) -> DataLoader[uuid.UUID, list[Contribution]]:
    return _lists(
        context, "cobuilding_contributions", lambda c, ids: reads.contributions_of(c, project_ids=ids)
    )


def evaluations_loader(context: Context) -> DataLoader[uuid.UUID, list[Evaluation]]:
    return _lists(
        context, "cobuilding_evaluations", lambda c, ids: reads.evaluations_of(c, agreement_ids=ids)
    )
