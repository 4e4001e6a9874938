"""Request-scoped DataLoaders of the councils domain: one query per level, not per row."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from strawberry.dataloader import DataLoader

from schema.context import Context
from services.councils import agenda, attendance, councils, followup, meetings, resolutions
from services.councils.models import AgendaItem, Attendance, Comment, Council, Meeting, Membership, Resolution
from services.ledger.reads import SourcedTaskState

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _cached(context: Context, name: str, load: Callable[[list[K]], Awaitable[list[V]]]) -> DataLoader[K, V]:
    if name not in context.loaders:
        context.loaders[name] = DataLoader(load_fn=load)
    loader: DataLoader[K, V] = context.loaders[name]
    return loader


def council_loader(context: Context) -> DataLoader[uuid.UUID, Council | None]:
    """Councils by id, as far as the caller may see them (None otherwise)."""

    async def load(ids: list[uuid.UUID]) -> list[Council | None]:
        async with context.db() as conn:
            found = await councils.councils_by_id(conn, actor=context.principal, ids=ids)
        return [found.get(i) for i in ids]

    return _cached(context, "council", load)


def members_loader(context: Context) -> DataLoader[uuid.UUID, list[Membership]]:
    async def load(ids: list[uuid.UUID]) -> list[list[Membership]]:
        async with context.db() as conn:
            found = await councils.members_of(conn, council_ids=ids)
        return [found[i] for i in ids]

    return _cached(context, "council_members", load)


def meetings_loader(context: Context) -> DataLoader[uuid.UUID, list[Meeting]]:
    """Meetings by council id."""

    async def load(ids: list[uuid.UUID]) -> list[list[Meeting]]:
        async with context.db() as conn:
            found = await meetings.meetings_of(conn, actor=context.principal, council_ids=ids)
        return [found[i] for i in ids]

    return _cached(context, "council_meetings", load)


def agenda_loader(context: Context) -> DataLoader[uuid.UUID, list[AgendaItem]]:
    """Agenda items by meeting id."""

    async def load(ids: list[uuid.UUID]) -> list[list[AgendaItem]]:
        async with context.db() as conn:
            found = await agenda.items_of_meetings(conn, meeting_ids=ids)
        return [found[i] for i in ids]

    return _cached(context, "council_agenda", load)


def comments_loader(context: Context) -> DataLoader[uuid.UUID, list[Comment]]:
    async def load(ids: list[uuid.UUID]) -> list[list[Comment]]:
        async with context.db() as conn:
            found = await agenda.comments_of(conn, item_ids=ids)
        return [found[i] for i in ids]

    return _cached(context, "council_comments", load)


def attendance_loader(context: Context) -> DataLoader[uuid.UUID, list[Attendance]]:
    async def load(ids: list[uuid.UUID]) -> list[list[Attendance]]:
        async with context.db() as conn:
            found = await attendance.attendance_of(conn, meeting_ids=ids)
        return [found[i] for i in ids]

    return _cached(context, "council_attendance", load)


def resolutions_loader(context: Context) -> DataLoader[uuid.UUID, list[Resolution]]:
    """Resolutions by meeting id."""

    async def load(ids: list[uuid.UUID]) -> list[list[Resolution]]:
        async with context.db() as conn:
            found = await resolutions.resolutions_of(conn, meeting_ids=ids)
        return [found[i] for i in ids]

    return _cached(context, "council_resolutions", load)


def tasks_loader(context: Context) -> DataLoader[uuid.UUID, list[SourcedTaskState]]:
    """Ledger tasks by resolution id (read through the ledger's interface)."""

    async def load(ids: list[uuid.UUID]) -> list[list[SourcedTaskState]]:
        async with context.db() as conn:
            found = await followup.tasks_of(conn, resolution_ids=ids)
        return [found[i] for i in ids]

    return _cached(context, "council_tasks", load)


def open_tasks_loader(context: Context) -> DataLoader[uuid.UUID, list[followup.FollowUpTask]]:
    """Open follow-up tasks (督办) by council id; a meeting's follow-up is a filter of its council's."""

    async def load(ids: list[uuid.UUID]) -> list[list[followup.FollowUpTask]]:
        async with context.db() as conn:
            found = await followup.open_tasks_of(conn, council_ids=ids)
        return [found[i] for i in ids]

    return _cached(context, "council_open_tasks", load)


def meeting_loader(context: Context) -> DataLoader[uuid.UUID, Meeting | None]:
    """Meetings by id, as far as the caller may see them (None otherwise)."""

    async def load(ids: list[uuid.UUID]) -> list[Meeting | None]:
        async with context.db() as conn:
            found = await meetings.meetings_by_id(conn, actor=context.principal, ids=ids)
        return [found.get(i) for i in ids]

    return _cached(context, "council_meeting", load)
