"""Council queries: councils, council, meeting, agendaItems, agendaItem, comment, resolution,
councilFeed, councilFigures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from schema.context import Info
from schema.councils.inputs import AgendaItemFilter, CouncilFilter
from schema.councils.loaders import council_loader, meeting_loader
from schema.councils.types import (
    AgendaItem,
    Comment,
    Council,
    CouncilFeed,
    CouncilFigures,
    Meeting,
    Resolution,
)
from schema.pagination import Connection, Keyset, parse_id, uuid_key
from schema.permissions import requires
from services.core.errors import NotFound
from services.councils import agenda, councils, feeds, figures, resolutions

COUNCILS = Keyset("council", uuid_key)
AGENDA_ITEMS = Keyset("agenda_item", uuid_key)


@strawberry.type
class CouncilsQuery:
    @strawberry.field(
        description="Joint councils the caller may see (联席会议列表); partners: public ones only.",
        extensions=requires("council", "read"),
    )
    async def councils(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: CouncilFilter | None = None,
    ) -> Connection[Council]:
        args = COUNCILS.args(info, first, after)
        given = filter or CouncilFilter()
        service_filter = councils.CouncilFilter(
            kind=given.kind.value if given.kind else None,
            host_organization_id=parse_id(given.host_organization_id, "hostOrganizationId")
            if given.host_organization_id
            else None,
            member_organization_id=parse_id(given.member_organization_id, "memberOrganizationId")
            if given.member_organization_id
            else None,
            search=given.search,
        )
        async with info.context.db() as conn:
            page = await councils.list_councils(
                conn,
                actor=info.context.principal,
                filter=service_filter,
                first=args.first,
                after=args.after,
                count=args.count,
            )
        return COUNCILS.connection(page, Council.from_model)

    @strawberry.field(description="One joint council (联席会议).", extensions=requires("council", "read"))
    async def council(self, info: Info, id: strawberry.ID) -> Council:
        found = await council_loader(info.context).load(parse_id(id))
        if found is None:
            raise NotFound("no such council", field="id")
        return Council.from_model(found)

    @strawberry.field(description="One meeting (会议).", extensions=requires("council", "read"))
    async def meeting(self, info: Info, id: strawberry.ID) -> Meeting:
        found = await meeting_loader(info.context).load(parse_id(id))
        if found is None:
            raise NotFound("no such meeting", field="id")
        return Meeting.from_model(found)

    @strawberry.field(
        description=(
            "Agenda items (议题列表) of the councils and meetings the caller sees, oldest first; "
            "never for partners."
        ),
        extensions=requires("council", "read_details"),
    )
    async def agenda_items(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: AgendaItemFilter | None = None,
    ) -> Connection[AgendaItem]:
        args = AGENDA_ITEMS.args(info, first, after)
        given = filter or AgendaItemFilter()
        service_filter = agenda.AgendaItemFilter(
            council_id=parse_id(given.council_id, "councilId") if given.council_id else None,
            status=given.status.value if given.status else None,
            raised_by_organization_id=parse_id(given.raised_by_organization_id, "raisedByOrganizationId")
            if given.raised_by_organization_id
            else None,
        )
        async with info.context.db() as conn:
            page = await agenda.list_agenda_items(
                conn,
                actor=info.context.principal,
                filter=service_filter,
                first=args.first,
                after=args.after,
                count=args.count,
            )
        return AGENDA_ITEMS.connection(page, AgendaItem.from_model)

    @strawberry.field(
        description=(
            "One agenda item (议题), as agendaItems shows it; never for partners; another "
            "alliance's id answers NOT_FOUND."
        ),
        extensions=requires("council", "read_details"),
    )
    async def agenda_item(self, info: Info, id: strawberry.ID) -> AgendaItem:
        async with info.context.db() as conn:
            found = await agenda.agenda_item_by_id(conn, actor=info.context.principal, item_id=parse_id(id))
        return AgendaItem.from_model(found)

    @strawberry.field(
        description=(
            "One comment on an agenda item (协商意见), seen where its item is; never for partners; "
            "another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("council", "read_details"),
    )
    async def comment(self, info: Info, id: strawberry.ID) -> Comment:
        async with info.context.db() as conn:
            found = await agenda.comment_by_id(conn, actor=info.context.principal, comment_id=parse_id(id))
        return Comment.from_model(found)

    @strawberry.field(
        description=(
            "One resolution (决议), seen as its meeting's resolutions show it (partners: once the "
            "minutes are published); another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("council", "read"),
    )
    async def resolution(self, info: Info, id: strawberry.ID) -> Resolution:
        async with info.context.db() as conn:
            found = await resolutions.resolution_by_id(
                conn,
                actor=info.context.principal,
                details=info.context.allows("council", "read_details"),
                resolution_id=parse_id(id),
            )
        return Resolution.from_model(found)

    @strawberry.field(
        description=(
            "One calendar feed (日历订阅), to its maker and the alliance admin, without its secret "
            "address (shown once); anyone else's feed or another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("council_feed", "manage"),
    )
    async def council_feed(self, info: Info, id: strawberry.ID) -> CouncilFeed:
        async with info.context.db() as conn:
            found = await feeds.get_feed(conn, actor=info.context.principal, feed_id=parse_id(id))
        return CouncilFeed.from_model(found)

    @strawberry.field(
        description=(
            "Figures of joint councils for 数据化考核 (联席会议统计: "
            "协商解决问题、事务共商), of one council or of all "
            "the caller may see, over [from, to)."
        ),
        extensions=requires("council_figures", "read"),
    )
    async def council_figures(
        self,
        info: Info,
        period_from: Annotated[
            dt.datetime, strawberry.argument(name="from", description="Period start (起).")
        ],
        period_to: Annotated[dt.datetime, strawberry.argument(name="to", description="Period end (止).")],
        council_id: strawberry.ID | None = None,
    ) -> CouncilFigures:
        async with info.context.db() as conn:
            found = await figures.council_figures(
                conn,
                actor=info.context.principal,
                period_from=period_from,
                period_to=period_to,
                council_id=parse_id(council_id, "councilId") if council_id else None,
            )
        return CouncilFigures.from_model(found)
