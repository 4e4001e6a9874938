"""Mutations of a base's activity menu (活动菜单): add, change, remove an item."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.pagination import parse_id
from schema.permissions import requires
from schema.resources.inputs import AddMenuItemInput, UpdateMenuItemInput
from schema.resources.types import MenuItem
from services.resources import menu


@strawberry.type
class MenuItemPayload:
    menu_item: MenuItem


@strawberry.type
class MenuMutation:
    @strawberry.mutation(
        description="Add an activity to a base's menu (新增活动菜单项).",
        extensions=requires("resource", "update"),
    )
    async def add_menu_item(self, info: Info, input: AddMenuItemInput) -> MenuItemPayload:
        data = menu.MenuItemInput(
            name=input.name,
            duration_minutes=input.duration_minutes,
            capacity=input.capacity,
            description=input.description,
        )
        async with info.context.db() as conn:
            item = await menu.add_menu_item(
                conn,
                actor=info.context.principal,
                resource_id=parse_id(input.resource_id, "resourceId"),
                data=data,
            )
        return MenuItemPayload(menu_item=MenuItem.from_model(item))

    @strawberry.mutation(
        description="Change a menu item (修改活动菜单项).", extensions=requires("resource", "update")
    )
    async def update_menu_item(self, info: Info, input: UpdateMenuItemInput) -> MenuItemPayload:
        data = menu.MenuItemInput(
            name=input.name,
            duration_minutes=input.duration_minutes,
            capacity=input.capacity,
            description=input.description,
        )
        async with info.context.db() as conn:
            item = await menu.update_menu_item(
                conn, actor=info.context.principal, item_id=parse_id(input.id), data=data
            )
        return MenuItemPayload(menu_item=MenuItem.from_model(item))

    @strawberry.mutation(
        description="Take an activity off a base's menu (移除活动菜单项).",
        extensions=requires("resource", "update"),
    )
    async def remove_menu_item(self, info: Info, id: strawberry.ID) -> MenuItemPayload:
        async with info.context.db() as conn:
            item = await menu.remove_menu_item(conn, actor=info.context.principal, item_id=parse_id(id))
        return MenuItemPayload(menu_item=MenuItem.from_model(item))
