"""One SOE, many districts: the caller's co-building across every alliance it holds a role in.

Each alliance is read in a transaction of its own, scoped to that alliance (row-level
security) and to the caller's roles there, exactly as a request sent with ``X-Tenant`` would
be; an alliance where the caller holds no role, or no role that reads co-building, adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import strawberry

from schema.cobuilding.queries import check_year
from schema.cobuilding.types import CobuildingFigures, Milestone
from schema.context import Info
from schema.directory.types import RoleGrant, Viewer
from schema.permissions import authenticated
from services.cobuilding import figures, parts, reads
from services.cobuilding.access import Scope
from services.core.principal import Principal
from services.core.tenancy import tenant_transaction
from services.directory.reads import roles_of_account

DUE_WITHIN_DAYS = 30


@strawberry.type(description="An agreement as the across-alliances view lists it (协议摘要).")
class CobuildingAgreementSummary:
    id: strawberry.ID = strawberry.field(
        description=(
            "The agreement's global id (协议全局标识): node(id) answers it as a CobuildingAgreement "
            "in that agreement's alliance (the entry's tenant)."
        )
    )
    title: str
    status: str
    start_date: dt.date
    end_date: dt.date


@strawberry.type(description="One of your organisation's agreements in one alliance (跨区共建).")
class CobuildingAcrossTenantsEntry:
    tenant: str = strawberry.field(description="The alliance's slug (联盟).")
    agreement: CobuildingAgreementSummary
    due_milestones: list[Milestone] = strawberry.field(
        description=f"Open milestones overdue or due within {DUE_WITHIN_DAYS} days (待办节点)."
    )


async def _principals(info: Info) -> AsyncIterator[Principal]:
    """The caller as it stands in each alliance where it holds a role that reads co-building."""
    context = info.context
    caller = context.principal
    async with context.db() as conn:
        grants = await roles_of_account(conn, account_id=caller.account_id)
    tenants = sorted({(g.tenant_slug, g.tenant_id) for g in grants})
    if caller.api_key_id is not None:  # an API key reads its own alliance only
        tenants = [(caller.tenant_slug, caller.tenant_id)]
    for slug, tenant_id in tenants:
        roles = await context.authorizer.roles_of(context.pool, caller.account_id, tenant_id)
        if not roles or not context.authorizer.allows(caller.account_id, tenant_id, "cobuilding", "read"):
            continue
        yield Principal(
            account_id=caller.account_id,
            login=caller.login,
            tenant_id=tenant_id,
            tenant_slug=slug,
            roles=roles,
            organization_ids=context.authorizer.organizations(caller.account_id, tenant_id),
            managed_organization_ids=context.authorizer.managed_organizations(caller.account_id, tenant_id),
            api_key_id=caller.api_key_id,
        )


@strawberry.type(name="Viewer")
class CobuildingViewer(Viewer):
    @strawberry.field(
        description="Your organisation's agreements and due milestones in every alliance (一企多区).",
        extensions=authenticated(),
    )
    async def cobuilding_across_tenants(self, info: Info) -> list[CobuildingAcrossTenantsEntry]:
        entries: list[CobuildingAcrossTenantsEntry] = []
        until = dt.date.today() + dt.timedelta(days=DUE_WITHIN_DAYS)
        async for principal in _principals(info):
            async with tenant_transaction(info.context.pool, principal) as conn:
                # Only agreements where one of its own organisations (or, for an admin, one
                # below them) is a party; without an organisation there it has none.
                if not principal.organization_ids:
                    continue
                page = await reads.list_agreements(
                    conn,
                    scope=Scope.of(principal),
                    first=100,
                    after=None,
                    count=False,
                    filter=reads.AgreementFilter(own_only=True),
                )
                due: dict[uuid.UUID, list[Milestone]] = {}
                if info.context.authorizer.allows(
                    principal.account_id, principal.tenant_id, "cobuilding", "read_detail"
                ):
                    found = await parts.due_milestones_of_agreements(
                        conn, agreement_ids=[a.id for a in page.items], until=until
                    )
                    due = {k: [Milestone.from_model(m) for m in v] for k, v in found.items()}
            for a in page.items:
                entries.append(
                    CobuildingAcrossTenantsEntry(
                        tenant=principal.tenant_slug,
                        agreement=CobuildingAgreementSummary(
                            id=strawberry.ID(str(a.id)),
                            title=a.title,
                            status=a.status.value,
                            start_date=a.start_date,
                            end_date=a.end_date,
                        ),
                        due_milestones=due.get(a.id, []),
                    )
                )
        return entries

    @strawberry.field(
        description="Your organisation's co-building figures summed over every alliance (一企多区 合计).",
        extensions=authenticated(),
    )
    async def cobuilding_figures_across_tenants(
        self, info: Info, year: int | None = None
    ) -> CobuildingFigures:
        year = check_year(year)
        parts = []
        async for principal in _principals(info):
            if not info.context.authorizer.allows(
                principal.account_id, principal.tenant_id, "cobuilding", "figures"
            ):
                continue
            async with tenant_transaction(info.context.pool, principal) as conn:
                scope = Scope.of(principal)
                for organization_id in sorted(principal.organization_ids):
                    parts.append(
                        await figures.cobuilding_figures(
                            conn, scope=scope, year=year, organization_id=organization_id
                        )
                    )
        return CobuildingFigures.from_model(figures.summed(year, parts))


@strawberry.type
class CobuildingViewerQuery:
    @strawberry.field(
        description="The caller and its roles in every alliance (当前用户).", extensions=authenticated()
    )
    async def viewer(self, info: Info) -> CobuildingViewer:
        principal = info.context.principal
        async with info.context.db() as conn:
            grants = await roles_of_account(conn, account_id=principal.account_id)
        return CobuildingViewer(
            login=principal.login,
            tenant=principal.tenant_slug,
            roles=[RoleGrant.from_model(g) for g in grants],
        )
