"""Organisational-life queries: members, member, transfers, transfer, organisationalLife,
organisationalLifeRecord, organisationalLifeFigures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from schema.context import Info
from schema.orglife.inputs import MemberFilter, OrganisationalLifeFilter, TransferFilter
from schema.orglife.types import (
    Member,
    OrganisationalLifeFigure,
    OrganisationalLifeRecord,
    OrganisationalLifeRequirement,
    PoliticalBirthday,
    Transfer,
)
from schema.pagination import Connection, Keyset, parse_id, uuid_key
from schema.permissions import requires
from services.orglife import birthdays, compliance, members, records, transfer_reads

MEMBERS = Keyset("member", uuid_key)
TRANSFERS = Keyset("member_transfer", uuid_key)
RECORDS = Keyset("organisational_life_record", uuid_key)


def _member_filter(given: MemberFilter | None) -> members.MemberFilter:
    """The service's member filter of the GraphQL one (members and membersExport alike)."""
    given = given or MemberFilter()
    return members.MemberFilter(
        organization_id=parse_id(given.organization_id, "organizationId") if given.organization_id else None,
        status=given.status.value if given.status else None,
        search=given.search,
    )


@strawberry.type
class OrgLifeQuery:
    @strawberry.field(
        description="Party members (党员) the caller may read; reads outside one's own branch are audited.",
        extensions=requires("member", "read"),
    )
    async def members(
        self, info: Info, first: int | None = 20, after: str | None = None, filter: MemberFilter | None = None
    ) -> Connection[Member]:
        args = MEMBERS.args(info, first, after)
        wanted = _member_filter(filter)
        async with info.context.db() as conn:
            page = await members.list_members(
                conn,
                actor=info.context.principal,
                filter=wanted,
                first=args.first,
                after=args.after,
                count=args.count,
            )
        return MEMBERS.connection(page, Member.from_model)

    @strawberry.field(
        description=(
            "Members as CSV (党员名册导出), at most 5000; phones masked (***) unless the caller is an admin "
            "of the branch or the alliance admin. Every row read is audited as in members."
        ),
        extensions=requires("member", "read"),
    )
    async def members_export(self, info: Info, filter: MemberFilter | None = None) -> str:
        wanted = _member_filter(filter)
        async with info.context.db() as conn:
            return await members.export_members(conn, actor=info.context.principal, filter=wanted)

    @strawberry.field(description="One member (党员).", extensions=requires("member", "read"))
    async def member(self, info: Info, id: strawberry.ID) -> Member:
        async with info.context.db() as conn:
            found = await members.get_member(conn, actor=info.context.principal, member_id=parse_id(id))
        return Member.from_model(found)

    @strawberry.field(
        description="Transfers (组织关系转接) into (IN) or out of (OUT) the branches the caller looks after.",
        extensions=requires("member_transfer", "read"),
    )
    async def transfers(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: TransferFilter | None = None,
    ) -> Connection[Transfer]:
        args = TRANSFERS.args(info, first, after)
        given = filter or TransferFilter()
        wanted = transfer_reads.TransferFilter(
            direction=given.direction.value if given.direction else None,
            status=given.status.value if given.status else None,
        )
        async with info.context.db() as conn:
            page = await transfer_reads.list_transfers(
                conn,
                actor=info.context.principal,
                filter=wanted,
                first=args.first,
                after=args.after,
                count=args.count,
            )
        return TRANSFERS.connection(page, Transfer.from_model)

    @strawberry.field(
        description=(
            "One transfer (组织关系转接), seen as transfers shows it (in or out of the branches the "
            "caller looks after); another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("member_transfer", "read"),
    )
    async def transfer(self, info: Info, id: strawberry.ID) -> Transfer:
        async with info.context.db() as conn:
            found = await transfer_reads.get_transfer(
                conn, actor=info.context.principal, transfer_id=parse_id(id)
            )
        return Transfer.from_model(found)

    @strawberry.field(
        description="Session records (三会一课记录) the caller may look up (调阅); each look-up is audited.",
        extensions=requires("organisational_life", "read"),
    )
    async def organisational_life(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: OrganisationalLifeFilter | None = None,
    ) -> Connection[OrganisationalLifeRecord]:
        args = RECORDS.args(info, first, after)
        given = filter or OrganisationalLifeFilter()
        wanted = records.RecordFilter(
            organization_id=parse_id(given.organization_id, "organizationId")
            if given.organization_id
            else None,
            kind=given.kind.value if given.kind else None,
            from_=given.from_,
            to=given.to,
        )
        async with info.context.db() as conn:
            page = await records.list_sessions(
                conn,
                actor=info.context.principal,
                filter=wanted,
                first=args.first,
                after=args.after,
                count=args.count,
            )
        return RECORDS.connection(page, OrganisationalLifeRecord.from_model)

    @strawberry.field(
        description=(
            "One session record (三会一课记录), as organisationalLife shows it to the caller; the "
            "look-up (调阅) is audited as the list's are. Another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("organisational_life", "read"),
    )
    async def organisational_life_record(self, info: Info, id: strawberry.ID) -> OrganisationalLifeRecord:
        async with info.context.db() as conn:
            found = await records.get_session(conn, actor=info.context.principal, record_id=parse_id(id))
        return OrganisationalLifeRecord.from_model(found)

    @strawberry.field(
        description=(
            "Sessions held against sessions due, per branch and kind, with the attendance rate "
            "(组织生活统计); "
            "computed from the records."
        ),
        extensions=requires("organisational_life", "figures"),
    )
    async def organisational_life_figures(
        self,
        info: Info,
        year: int,
        organization_id: strawberry.ID | None = None,
        include_descendants: bool = False,
    ) -> list[OrganisationalLifeFigure]:
        async with info.context.db() as conn:
            found = await compliance.life_figures(
                conn,
                actor=info.context.principal,
                year=year,
                organization_id=parse_id(organization_id, "organizationId") if organization_id else None,
                include_descendants=include_descendants,
            )
        return [OrganisationalLifeFigure.from_model(f) for f in found]

    @strawberry.field(
        description="How often each kind of session is due here (组织生活频次要求).",
        extensions=requires("organisational_life", "figures"),
    )
    async def organisational_life_requirements(self, info: Info) -> list[OrganisationalLifeRequirement]:
        async with info.context.db() as conn:
            found = await compliance.requirements(conn)
        return [
            OrganisationalLifeRequirement(kind=r.kind, period=r.period, times=r.times)  # type: ignore[arg-type]
            for r in found
        ]

    @strawberry.field(
        description="Political birthdays (政治生日) from one day to another, at most a year, for admins.",
        extensions=requires("political_birthday", "read"),
    )
    async def political_birthdays(
        self,
        info: Info,
        from_: Annotated[dt.date, strawberry.argument(name="from", description="From (起).")],
        to: Annotated[
            dt.date | None, strawberry.argument(description="To (止); 30 days on by default.")
        ] = None,
    ) -> list[PoliticalBirthday]:
        async with info.context.db() as conn:
            found = await birthdays.upcoming(
                conn, actor=info.context.principal, from_=from_, to=to or from_ + dt.timedelta(days=30)
            )
        return [PoliticalBirthday.from_model(b) for b in found]
