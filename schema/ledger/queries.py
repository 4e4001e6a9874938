"""Ledger queries: ledgerItems, ledgerItem, ledgerFigures, responsibilityLetters, responsibilityLetter."""

from __future__ import annotations

import uuid

import strawberry

from schema.context import Info
from schema.ledger.inputs import LedgerItemFilter, ResponsibilityLetterFilter
from schema.ledger.types import LedgerFigures, LedgerItem, OrganizationLedgerFigures, ResponsibilityLetter
from schema.pagination import Connection, Keyset, parse_id, uuid_key
from schema.permissions import requires
from services.core.records import Page
from services.ledger import figures, letters, listing

LEDGER_ITEMS = Keyset("ledger_item", uuid_key)
LETTERS = Keyset("responsibility_letter", uuid_key)


def _id(value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    return parse_id(value, field) if value else None


@strawberry.type
class LedgerQuery:
    @strawberry.field(
        description=(
            "The work ledger (工作台账) the caller may see: its organisation's and those below it "
            "(一级带着一级干，一级干给一级看), filtered, oldest first."
        ),
        extensions=requires("ledger", "read"),
    )
    async def ledger_items(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: LedgerItemFilter | None = None,
    ) -> Connection[LedgerItem]:
        args = LEDGER_ITEMS.args(info, first, after)
        given = filter or LedgerItemFilter()
        service_filter = listing.ItemFilter(
            list=given.list_,
            organization_id=parse_id(given.organization_id, "organizationId")
            if given.organization_id
            else None,
            include_descendants=given.include_descendants,
            status=given.status,
            overdue=given.overdue,
            year=given.year,
            source=given.source,
            responsible_organization_id=_id(given.responsible_organization_id, "responsibleOrganizationId"),
            search=given.search,
        )
        async with info.context.db() as conn:
            page = await listing.list_items(
                conn,
                actor=info.context.principal,
                filter=service_filter,
                first=args.first,
                after=args.after,
                count=args.count,
            )
        return LEDGER_ITEMS.connection(page, LedgerItem.from_model)

    @strawberry.field(
        description="One ledger item (台账条目), with its history.", extensions=requires("ledger", "read")
    )
    async def ledger_item(self, info: Info, id: strawberry.ID) -> LedgerItem:
        async with info.context.db() as conn:
            item = await listing.get_item(conn, actor=info.context.principal, item_id=parse_id(id))
        return LedgerItem.from_model(item)

    @strawberry.field(
        description=(
            "Figures of the ledger per organisation for 述职评议 (台账统计): counts per list and status, "
            "sign-off and on-time rates, overdue. Without organizationId: every organisation the caller sees."
        ),
        extensions=requires("ledger", "figures"),
    )
    async def ledger_figures(
        self,
        info: Info,
        year: int,
        organization_id: strawberry.ID | None = None,
        include_descendants: bool = False,
    ) -> LedgerFigures:
        async with info.context.db() as conn:
            found = await figures.ledger_figures(
                conn,
                actor=info.context.principal,
                year=year,
                organization_id=parse_id(organization_id, "organizationId") if organization_id else None,
                include_descendants=include_descendants,
            )
        return LedgerFigures(
            year=year, organizations=[OrganizationLedgerFigures.from_model(f) for f in found]
        )

    @strawberry.field(
        description=(
            "Target responsibility letters (党建目标责任书) issued by or to the caller's organisations; "
            "acknowledged: false lists those not yet signed."
        ),
        extensions=requires("responsibility_letter", "read"),
    )
    async def responsibility_letters(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: ResponsibilityLetterFilter | None = None,
    ) -> Connection[ResponsibilityLetter]:
        args = LETTERS.args(info, first, after)
        given = filter or ResponsibilityLetterFilter()
        service_filter = letters.LetterFilter(
            year=given.year,
            organization_id=parse_id(given.organization_id, "organizationId")
            if given.organization_id
            else None,
            issuer_organization_id=(
                parse_id(given.issuer_organization_id, "issuerOrganizationId")
                if given.issuer_organization_id
                else None
            ),
            acknowledged=given.acknowledged,
        )
        async with info.context.db() as conn:
            items, total, has_next = await letters.list_letters(
                conn, actor=info.context.principal, filter=service_filter, first=args.first, after=args.after
            )
        return LETTERS.connection(
            Page(items=items, total=total, has_next=has_next), ResponsibilityLetter.from_model
        )

    @strawberry.field(
        description=(
            "One target responsibility letter (党建目标责任书), seen as responsibilityLetters shows it; "
            "another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("responsibility_letter", "read"),
    )
    async def responsibility_letter(self, info: Info, id: strawberry.ID) -> ResponsibilityLetter:
        async with info.context.db() as conn:
            found = await letters.get_letter(conn, actor=info.context.principal, letter_id=parse_id(id))
        return ResponsibilityLetter.from_model(found)
