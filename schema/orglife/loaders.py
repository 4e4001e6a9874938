"""Request-scoped loaders of organisational life: a member's branch history."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from schema.context import Context
from services.orglife import members
from services.orglife.models import Membership


def memberships_loader(context: Context) -> DataLoader[uuid.UUID, list[Membership]]:
    if "orglife_memberships" not in context.loaders:

        async def load(ids: list[uuid.UUID]) -> list[list[Membership]]:
            async with context.db() as conn:
                found = await members.memberships_of(conn, member_ids=list(ids))
            return [found[i] for i in ids]

        context.loaders["orglife_memberships"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, list[Membership]] = context.loaders["orglife_memberships"]
    return loader
