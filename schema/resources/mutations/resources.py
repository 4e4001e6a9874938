"""Mutations of shared resources (共享资源): post, change, publish, archive."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.pagination import parse_id
from schema.permissions import requires
from schema.resources.inputs import CreateResourceInput, OpeningWindowInput, UpdateResourceInput
from schema.resources.types import Resource
from services.resources import resources
from services.resources.models import OpeningWindow


@strawberry.type
class ResourcePayload:
    resource: Resource


def _hours(windows: list[OpeningWindowInput] | None) -> list[OpeningWindow] | None:
    if windows is None:
        return None
    return [OpeningWindow(weekday=w.weekday, start=w.start, end=w.end) for w in windows]


@strawberry.type
class ResourceMutation:
    @strawberry.mutation(
        description="Post a shared resource as a draft (发布共享资源).",
        extensions=requires("resource", "create"),
    )
    async def create_resource(self, info: Info, input: CreateResourceInput) -> ResourcePayload:
        data = resources.ResourceInput(
            owner_org_id=parse_id(input.owner_org_id, "ownerOrgId") if input.owner_org_id else None,
            kind=input.kind,
            title=input.title,
            description=input.description,
            address=input.address,
            capacity=input.capacity,
            quantity=input.quantity,
            tags=input.tags,
            photo_urls=input.photo_urls,
            opening_hours=_hours(input.opening_hours),
            blackout_dates=input.blackout_dates,
            visibility=input.visibility,
        )
        async with info.context.db() as conn:
            created = await resources.create_resource(conn, actor=info.context.principal, data=data)
        return ResourcePayload(resource=Resource.from_model(created))

    @strawberry.mutation(
        description="Change a resource (修改共享资源).", extensions=requires("resource", "update")
    )
    async def update_resource(self, info: Info, input: UpdateResourceInput) -> ResourcePayload:
        data = resources.ResourceInput(
            title=input.title,
            description=input.description,
            address=input.address,
            capacity=input.capacity,
            quantity=input.quantity,
            tags=input.tags,
            photo_urls=input.photo_urls,
            opening_hours=_hours(input.opening_hours),
            blackout_dates=input.blackout_dates,
            visibility=input.visibility,
        )
        async with info.context.db() as conn:
            updated = await resources.update_resource(
                conn, actor=info.context.principal, resource_id=parse_id(input.id), data=data
            )
        return ResourcePayload(resource=Resource.from_model(updated))

    @strawberry.mutation(
        description="Publish a draft resource (上架): members can see and book it.",
        extensions=requires("resource", "publish"),
    )
    async def publish_resource(self, info: Info, id: strawberry.ID) -> ResourcePayload:
        async with info.context.db() as conn:
            published = await resources.publish_resource(
                conn, actor=info.context.principal, resource_id=parse_id(id)
            )
        return ResourcePayload(resource=Resource.from_model(published))

    @strawberry.mutation(
        description="Archive a resource (下架); it needs no open booking left.",
        extensions=requires("resource", "archive"),
    )
    async def archive_resource(self, info: Info, id: strawberry.ID) -> ResourcePayload:
        async with info.context.db() as conn:
            archived = await resources.archive_resource(
                conn, actor=info.context.principal, resource_id=parse_id(id)
            )
        return ResourcePayload(resource=Resource.from_model(archived))
