"""Mutations of agenda items (议题): propose, accept, decline, defer, close, comment."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.councils.inputs import (
    AcceptAgendaItemInput,
    CloseAgendaItemInput,
    CommentOnAgendaItemInput,
    DeclineAgendaItemInput,
    DeferAgendaItemInput,
    ProposeAgendaItemInput,
)
from schema.councils.types import AgendaItem, Comment
from schema.pagination import parse_id
from schema.permissions import requires
from services.councils import agenda


@strawberry.type
class AgendaItemPayload:
    agenda_item: AgendaItem


@strawberry.type
class CommentPayload:
    comment: Comment
    agenda_item: AgendaItem


@strawberry.type
class AgendaMutation:
    @strawberry.mutation(
        description="Raise a problem or proposal as a member unit (提出议题).",
        extensions=requires("agenda_item", "propose"),
    )
    async def propose_agenda_item(self, info: Info, input: ProposeAgendaItemInput) -> AgendaItemPayload:
        async with info.context.db() as conn:
            item = await agenda.propose_agenda_item(
                conn,
                actor=info.context.principal,
                council_id=parse_id(input.council_id, "councilId"),
                title=input.title,
                description=input.description,
                category=input.category,
                organization_id=parse_id(input.organization_id, "organizationId")
                if input.organization_id
                else None,
            )
        return AgendaItemPayload(agenda_item=AgendaItem.from_model(item))

    @strawberry.mutation(
        description="Put an item on a meeting's agenda (列入议程), by its convener.",
        extensions=requires("meeting", "run"),
    )
    async def accept_agenda_item(self, info: Info, input: AcceptAgendaItemInput) -> AgendaItemPayload:
        async with info.context.db() as conn:
            item = await agenda.accept_agenda_item(
                conn,
                actor=info.context.principal,
                item_id=parse_id(input.id),
                meeting_id=parse_id(input.meeting_id, "meetingId"),
            )
        return AgendaItemPayload(agenda_item=AgendaItem.from_model(item))

    @strawberry.mutation(
        description="Decline an item with a reason (不予采纳).", extensions=requires("meeting", "run")
    )
    async def decline_agenda_item(self, info: Info, input: DeclineAgendaItemInput) -> AgendaItemPayload:
        async with info.context.db() as conn:
            item = await agenda.decline_agenda_item(
                conn, actor=info.context.principal, item_id=parse_id(input.id), reason=input.reason
            )
        return AgendaItemPayload(agenda_item=AgendaItem.from_model(item))

    @strawberry.mutation(
        description="Defer an item with a reason (暂缓).", extensions=requires("meeting", "run")
    )
    async def defer_agenda_item(self, info: Info, input: DeferAgendaItemInput) -> AgendaItemPayload:
        async with info.context.db() as conn:
            item = await agenda.defer_agenda_item(
                conn, actor=info.context.principal, item_id=parse_id(input.id), reason=input.reason
            )
        return AgendaItemPayload(agenda_item=AgendaItem.from_model(item))

    @strawberry.mutation(
        description="Close an item at its meeting without a resolution, with a reason (办结).",
        extensions=requires("meeting", "run"),
    )
    async def close_agenda_item(self, info: Info, input: CloseAgendaItemInput) -> AgendaItemPayload:
        async with info.context.db() as conn:
            item = await agenda.close_agenda_item(
                conn, actor=info.context.principal, item_id=parse_id(input.id), reason=input.reason
            )
        return AgendaItemPayload(agenda_item=AgendaItem.from_model(item))

    @strawberry.mutation(
        description="Comment on an accepted item as a member unit (协商意见).",
        extensions=requires("agenda_item", "comment"),
    )
    async def comment_on_agenda_item(self, info: Info, input: CommentOnAgendaItemInput) -> CommentPayload:
        async with info.context.db() as conn:
            comment, item = await agenda.comment_on_agenda_item(
                conn,
                actor=info.context.principal,
                item_id=parse_id(input.id),
                body=input.body,
                organization_id=parse_id(input.organization_id, "organizationId")
                if input.organization_id
                else None,
            )
        return CommentPayload(comment=Comment.from_model(comment), agenda_item=AgendaItem.from_model(item))
