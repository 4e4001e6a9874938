"""Request-scoped DataLoaders for the directory: one query per level, not per row."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from schema.context import Context
from services.directory import organizations
from services.directory.models import Organization as OrganizationModel


def organization_loader(context: Context) -> DataLoader[uuid.UUID, OrganizationModel | None]:
    """Organisations by id (None for ids outside the caller's tenant)."""
    if "organization" not in context.loaders:

        async def load(ids: list[uuid.UUID]) -> list[OrganizationModel | None]:
            async with context.db() as conn:
                found = await organizations.organizations_by_id(conn, ids=list(ids))
            return [found.get(i) for i in ids]

        context.loaders["organization"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, OrganizationModel | None] = context.loaders["organization"]
    return loader


def children_loader(context: Context) -> DataLoader[uuid.UUID, list[OrganizationModel]]:
    """Active children by parent id."""
    if "children" not in context.loaders:

        async def load(ids: list[uuid.UUID]) -> list[list[OrganizationModel]]:
            async with context.db() as conn:
                found = await organizations.children_of(conn, parent_ids=list(ids))
            return [found[i] for i in ids]

        context.loaders["children"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, list[OrganizationModel]] = context.loaders["children"]
    return loader
