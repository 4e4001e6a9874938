"""Request-scoped DataLoaders of the councils domain: one query per level, not per row."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from schema.context import Context
from schema.loading import grouped_loader, request_loader
from services.councils import agenda, attendance, councils, followup, meetings, resolutions
from services.councils.models import AgendaItem, Attendance, Comment, Council, Meeting, Membership, Resolution
from services.ledger.reads import SourcedTaskState


def council_loader(context: Context) -> DataLoader[uuid.UUID, Council | None]:
    """Councils by id, as far as the caller may see them (None otherwise)."""

    async def load(ids: list[uuid.UUID]) -> list[Council | None]:
        async with context.db() as conn:
            found = await councils.councils_by_id(conn, actor=context.principal, ids=ids)
        return [found.get(i) for i in ids]

    return request_loader(context, "council", load)


def members_loader(context: Context) -> DataLoader[uuid.UUID, list[Membership]]:
    return grouped_loader(context, "council_members", lambda c, ids: councils.members_of(c, council_ids=ids))


def meetings_loader(context: Context) -> DataLoader[uuid.UUID, list[Meeting]]:
    """Meetings by council id."""
    return grouped_loader(
        context,
        "council_meetings",
        lambda c, ids: meetings.meetings_of(c, actor=context.principal, council_ids=ids),
    )


def agenda_loader(context: Context) -> DataLoader[uuid.UUID, list[AgendaItem]]:
    """Agenda items by meeting id."""
    return grouped_loader(
        context, "council_agenda", lambda c, ids: agenda.items_of_meetings(c, meeting_ids=ids)
    )


def comments_loader(context: Context) -> DataLoader[uuid.UUID, list[Comment]]:
    return grouped_loader(context, "council_comments", lambda c, ids: agenda.comments_of(c, item_ids=ids))


def attendance_loader(context: Context) -> DataLoader[uuid.UUID, list[Attendance]]:
    return grouped_loader(
        context, "council_attendance", lambda c, ids: attendance.attendance_of(c, meeting_ids=ids)
    )


def resolutions_loader(context: Context) -> DataLoader[uuid.UUID, list[Resolution]]:
    """Resolutions by meeting id."""
    return grouped_loader(
        context, "council_resolutions", lambda c, ids: resolutions.resolutions_of(c, meeting_ids=ids)
    )


def tasks_loader(context: Context) -> DataLoader[uuid.UUID, list[SourcedTaskState]]:
    """Ledger tasks by resolution id (read through the ledger's interface)."""
    return grouped_loader(context, "council_tasks", lambda c, ids: followup.tasks_of(c, resolution_ids=ids))


def open_tasks_loader(context: Context) -> DataLoader[uuid.UUID, list[followup.FollowUpTask]]:
    """Open follow-up tasks (督办) by council id; a meeting's follow-up is a filter of its council's."""
    return grouped_loader(
        context, "council_open_tasks", lambda c, ids: followup.open_tasks_of(c, council_ids=ids)
    )


def meeting_loader(context: Context) -> DataLoader[uuid.UUID, Meeting | None]:
    """Meetings by id, as far as the caller may see them (None otherwise)."""

    async def load(ids: list[uuid.UUID]) -> list[Meeting | None]:
        async with context.db() as conn:
            found = await meetings.meetings_by_id(conn, actor=context.principal, ids=ids)
        return [found.get(i) for i in ids]

    return request_loader(context, "council_meeting", load)
