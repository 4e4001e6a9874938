"""Request-scoped loaders of the ledger: items by id, a task's answered problems, an item's history."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from schema.context import Context
from services.ledger import listing
from services.ledger.models import LedgerItem, LedgerStep


def item_loader(context: Context) -> DataLoader[uuid.UUID, LedgerItem | None]:
    if "ledger_item" not in context.loaders:

        async def load(ids: list[uuid.UUID]) -> list[LedgerItem | None]:
            async with context.db() as conn:
                found = await listing.items_by_id(conn, ids=list(ids))
            return [found.get(i) for i in ids]

        context.loaders["ledger_item"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, LedgerItem | None] = context.loaders["ledger_item"]
    return loader


def answers_loader(context: Context) -> DataLoader[uuid.UUID, list[LedgerItem]]:
    if "ledger_answers" not in context.loaders:

        async def load(ids: list[uuid.UUID]) -> list[list[LedgerItem]]:
            async with context.db() as conn:
                found = await listing.answers_of(conn, task_ids=list(ids))
            return [found[i] for i in ids]

        context.loaders["ledger_answers"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, list[LedgerItem]] = context.loaders["ledger_answers"]
    return loader


def history_loader(context: Context) -> DataLoader[uuid.UUID, list[LedgerStep]]:
    if "ledger_history" not in context.loaders:

        async def load(ids: list[uuid.UUID]) -> list[list[LedgerStep]]:
            async with context.db() as conn:
                found = await listing.history_of(conn, item_ids=list(ids))
            return [found[i] for i in ids]

        context.loaders["ledger_history"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, list[LedgerStep]] = context.loaders["ledger_history"]
    return loader
