"""Mutations of councils (联席会议): create, add and remove member units, calendar feeds."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.councils.inputs import (
    AddCouncilMemberInput,
    CreateCouncilFeedInput,
    CreateCouncilInput,
    RemoveCouncilMemberInput,
    RevokeCouncilFeedInput,
)
from schema.councils.types import Council, CouncilFeed
from schema.pagination import parse_id
from schema.permissions import requires
from services.councils import councils, feeds


@strawberry.type
class CouncilPayload:
    council: Council


@strawberry.type
class CouncilFeedPayload:
    feed: CouncilFeed
    url: str | None = strawberry.field(
        description="The feed's address with its secret (订阅地址), shown once, when the feed is made."
    )


@strawberry.type
class CouncilMutation:
    @strawberry.mutation(
        description="Create a joint council (新建联席会议).", extensions=requires("council", "create")
    )
    async def create_council(self, info: Info, input: CreateCouncilInput) -> CouncilPayload:
        member_ids = [parse_id(i, "memberOrganizationIds") for i in input.member_organization_ids]
        async with info.context.db() as conn:
            council = await councils.create_council(
                conn,
                actor=info.context.principal,
                name=input.name,
                kind=input.kind.value,
                host_organization_id=parse_id(input.host_organization_id, "hostOrganizationId"),
                member_organization_ids=member_ids,
                public=input.public,
                member_since=input.member_since,
            )
        return CouncilPayload(council=Council.from_model(council))

    @strawberry.mutation(
        description="Add a member unit, from today or from `memberSince` (增加成员单位).",
        extensions=requires("council", "manage_members"),
    )
    async def add_council_member(self, info: Info, input: AddCouncilMemberInput) -> CouncilPayload:
        async with info.context.db() as conn:
            council = await councils.add_member(
                conn,
                actor=info.context.principal,
                council_id=parse_id(input.council_id, "councilId"),
                organization_id=parse_id(input.organization_id, "organizationId"),
                member_since=input.member_since,
            )
        return CouncilPayload(council=Council.from_model(council))

    @strawberry.mutation(
        description="End a membership today; its dates are kept (移除成员单位).",
        extensions=requires("council", "manage_members"),
    )
    async def remove_council_member(self, info: Info, input: RemoveCouncilMemberInput) -> CouncilPayload:
        async with info.context.db() as conn:
            council = await councils.remove_member(
                conn,
                actor=info.context.principal,
                council_id=parse_id(input.council_id, "councilId"),
                organization_id=parse_id(input.organization_id, "organizationId"),
            )
        return CouncilPayload(council=Council.from_model(council))

    @strawberry.mutation(
        description="A calendar feed of the council's meetings (日历订阅, iCalendar); its URL is shown once.",
        extensions=requires("council_feed", "manage"),
    )
    async def create_council_feed(self, info: Info, input: CreateCouncilFeedInput) -> CouncilFeedPayload:
        async with info.context.db() as conn:
            feed, secret = await feeds.create_feed(
                conn, actor=info.context.principal, council_id=parse_id(input.council_id, "councilId")
            )
        url = str(info.context.request.base_url).rstrip("/") + feeds.feed_path(feed.id, secret)
        return CouncilFeedPayload(feed=CouncilFeed.from_model(feed), url=url)

    @strawberry.mutation(
        description="Revoke a calendar feed: its URL stops working (撤销日历订阅).",
        extensions=requires("council_feed", "manage"),
    )
    async def revoke_council_feed(self, info: Info, input: RevokeCouncilFeedInput) -> CouncilFeedPayload:
        async with info.context.db() as conn:
            feed = await feeds.revoke_feed(conn, actor=info.context.principal, feed_id=parse_id(input.id))
        return CouncilFeedPayload(feed=CouncilFeed.from_model(feed), url=None)
