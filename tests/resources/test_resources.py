"""Resources through HTTP: post, change, publish, archive; menus; audit rows and events; bad input named."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.conftest import GraphQLClient, error_code
from tests.resources.conftest import (
    ARCHIVE,
    CREATE,
    PUBLISH,
    MakeResource,
    audit_actions,
    data,
    field_of,
    outbox_types,
    requested,
    window,
)
from tests.support.writes import WritesNothing

UPDATE = """
mutation($input: UpdateResourceInput!) {
  updateResource(input: $input) { resource { id title capacity tags openingHours { weekday start end } visibility } }
}
"""
READ = """
query($id: ID!) {
  resource(id: $id) {
    id kind title status visibility tags photoUrls blackoutDates timeZone
    openingHours { weekday start end }
    owner { id name }
    menu { id name durationMinutes capacity }
  }
}
"""
ADD_ITEM = """
mutation($input: AddMenuItemInput!) { addMenuItem(input: $input) { menuItem { id name durationMinutes capacity } } }
"""
UPDATE_ITEM = (
    "mutation($input: UpdateMenuItemInput!) { updateMenuItem(input: $input) { menuItem { id name } } }"
)
REMOVE_ITEM = "mutation($id: ID!) { removeMenuItem(id: $id) { menuItem { id removedAt } } }"


async def test_lifecycle_with_audit_and_events(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, fresh_org: uuid.UUID
) -> None:
    hours = [
        {"weekday": 5, "start": "14:00", "end": "18:00"},
        {"weekday": 1, "start": "09:00", "end": "12:00"},
    ]
    created = data(
        await gql(
            CREATE,
            {
                "input": {
                    "kind": "VENUE",
                    "title": "社区议事厅",
                    "description": "可开展联席会议",
                    "ownerOrgId": str(fresh_org),
                    "capacity": 40,
                    "tags": ["会议", "会议", " 议事 "],
                    "photoUrls": ["https://example.cn/hall.jpg"],
                    "openingHours": hours,
                    "blackoutDates": ["2027-01-01"],
                    "visibility": "PARTNERS",
                }
            },
            login="street-admin",
        ),
        "createResource",
        "resource",
    )
    assert created["status"] == "DRAFT"
    read = data(await gql(READ, {"id": created["id"]}, login="street-admin"), "resource")
    assert read["tags"] == ["会议", "议事"]
    assert read["openingHours"] == [
        {"weekday": 1, "start": "09:00", "end": "12:00"},
        {"weekday": 5, "start": "14:00", "end": "18:00"},
    ]
    assert read["owner"] == {"id": str(fresh_org), "name": read["owner"]["name"]}  # type: ignore[index]
    assert read["blackoutDates"] == ["2027-01-01"] and read["timeZone"] == "Asia/Shanghai"

    updated = data(
        await gql(
            UPDATE, {"input": {"id": created["id"], "capacity": 45, "openingHours": []}}, login="street-admin"
        ),
        "updateResource",
        "resource",
    )
    assert (updated["capacity"], updated["openingHours"], updated["title"]) == (45, [], "社区议事厅")
    published = data(
        await gql(PUBLISH, {"id": created["id"]}, login="street-admin"), "publishResource", "resource"
    )
    assert published["status"] == "PUBLISHED" and published["publishedAt"]
    archived = data(
        await gql(ARCHIVE, {"id": created["id"]}, login="alliance-admin"), "archiveResource", "resource"
    )
    assert archived["status"] == "ARCHIVED"

    assert await audit_actions(admin_conn, created["id"]) == [
        "resource.created",
        "resource.updated",
        "resource.published",
        "resource.archived",
    ]
    assert await outbox_types(admin_conn, created["id"]) == [
        "resource.created.v1",
        "resource.updated.v1",
        "resource.published.v1",
        "resource.archived.v1",
    ]
    topic = await admin_conn.fetchval(
        "SELECT DISTINCT topic FROM outbox WHERE aggregate_id = $1", created["id"]
    )
    assert topic == "alliance.resource.v1"


async def test_wrong_status_changes_conflict(gql: GraphQLClient, make_resource: MakeResource) -> None:
    resource = await make_resource()
    assert error_code(await gql(PUBLISH, {"id": resource["id"]}, login="street-admin")) == "CONFLICT"
    await gql(ARCHIVE, {"id": resource["id"]}, login="street-admin")
    for document in (PUBLISH, ARCHIVE):
        assert error_code(await gql(document, {"id": resource["id"]}, login="street-admin")) == "CONFLICT"
    changed = await gql(UPDATE, {"input": {"id": resource["id"], "title": "新名"}}, login="street-admin")
    assert error_code(changed) == "CONFLICT"


async def test_archive_waits_for_open_bookings(gql: GraphQLClient, make_resource: MakeResource) -> None:
    resource = await make_resource()
    await requested(gql, resource["id"], window(9, 10))
    assert error_code(await gql(ARCHIVE, {"id": resource["id"]}, login="street-admin")) == "CONFLICT"


@pytest.mark.parametrize("login", ["soe-admin", "member", "auditor"])
async def test_only_the_owner_side_changes_a_resource(
    gql: GraphQLClient, writes_nothing: WritesNothing, make_resource: MakeResource, login: str
) -> None:
    draft = await make_resource(publish=False)
    cases: list[tuple[str, dict[str, object]]] = [
        (PUBLISH, {"id": draft["id"]}),
        (ARCHIVE, {"id": draft["id"]}),
        (UPDATE, {"input": {"id": draft["id"], "title": "被改"}}),
    ]
    async with writes_nothing():
        for document, variables in cases:
            assert error_code(await gql(document, variables, login=login)) == "FORBIDDEN"


async def test_org_admin_posts_only_for_organisations_it_manages(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, writes_nothing: WritesNothing, fresh_org: uuid.UUID
) -> None:
    posted = {"kind": "VENUE", "title": "别人的场地", "ownerOrgId": str(fresh_org)}
    async with writes_nothing():
        assert error_code(await gql(CREATE, {"input": posted}, login="soe-admin")) == "FORBIDDEN"
        assert error_code(await gql(CREATE, {"input": posted}, login="member")) == "FORBIDDEN"
    # Without ownerOrgId an org_admin posts for its own organisation.
    own = data(
        await gql(CREATE, {"input": {"kind": "SERVICE", "title": "城投志愿服务队"}}, login="soe-admin"),
        "createResource",
        "resource",
    )
    soe = await admin_conn.fetchval("SELECT owner_org_id FROM resources WHERE id = $1", own["id"])
    assert (
        await admin_conn.fetchval("SELECT name FROM organizations WHERE id = $1", soe)
        == "城市建设投资集团有限公司党委"
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "MATERIAL"}, "quantity"),
        ({"kind": "MATERIAL", "quantity": 0}, "quantity"),
        ({"capacity": -3}, "capacity"),
        ({"photoUrls": ["javascript:alert(1)"]}, "photoUrls"),
        ({"photoUrls": ["/relative.png"]}, "photoUrls"),
        ({"openingHours": [{"weekday": 8, "start": "09:00", "end": "10:00"}]}, "openingHours"),
        ({"openingHours": [{"weekday": 1, "start": "10:00", "end": "09:00"}]}, "openingHours"),
        ({"openingHours": [{"weekday": 1, "start": "9:00", "end": "10:00"}]}, "openingHours"),
        (
            {
                "openingHours": [
                    {"weekday": 1, "start": "09:00", "end": "12:00"},
                    {"weekday": 1, "start": "11:00", "end": "13:00"},
                ]
            },
            "openingHours",
        ),
        ({"tags": ["x" * 31]}, "tags"),
        ({"ownerOrgId": str(uuid.uuid4())}, "ownerOrgId"),
        ({"ownerOrgId": "not-a-uuid"}, "ownerOrgId"),
    ],
)
async def test_bad_input_is_named_and_writes_nothing(
    gql: GraphQLClient,
    writes_nothing: WritesNothing,
    fresh_org: uuid.UUID,
    fields: dict[str, object],
    field: str,
) -> None:
    payload: dict[str, object] = {"kind": "VENUE", "title": "场地", "ownerOrgId": str(fresh_org), **fields}
    async with writes_nothing():
        body = await gql(CREATE, {"input": payload}, login="street-admin")
    assert error_code(body) == "BAD_USER_INPUT", body
    assert field_of(body) == field


async def test_base_menu_is_kept_by_its_owner(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, make_resource: MakeResource
) -> None:
    base = await make_resource(kind="BASE", title="红色教育基地", capacity=60)
    added = [
        data(
            await gql(
                ADD_ITEM,
                {
                    "input": {
                        "resourceId": base["id"],
                        "name": name,
                        "durationMinutes": minutes,
                        "capacity": 40,
                    }
                },
                login="street-admin",
            ),
            "addMenuItem",
            "menuItem",
        )
        for name, minutes in (("重温入党誓词", 30), ("参观展馆", 90))
    ]
    duplicate = await gql(
        ADD_ITEM,
        {"input": {"resourceId": base["id"], "name": "参观展馆", "durationMinutes": 60}},
        login="street-admin",
    )
    assert (error_code(duplicate), field_of(duplicate)) == ("BAD_USER_INPUT", "name")
    foreign = await gql(
        ADD_ITEM,
        {"input": {"resourceId": base["id"], "name": "越权", "durationMinutes": 60}},
        login="soe-admin",
    )
    assert error_code(foreign) == "FORBIDDEN"
    data(
        await gql(
            UPDATE_ITEM, {"input": {"id": added[0]["id"], "name": "重温入党誓词仪式"}}, login="street-admin"
        ),
        "updateMenuItem",
    )
    data(await gql(REMOVE_ITEM, {"id": added[1]["id"]}, login="street-admin"), "removeMenuItem")
    menu = data(await gql(READ, {"id": base["id"]}, login="member"), "resource")["menu"]
    assert [item["name"] for item in menu] == ["重温入党誓词仪式"]  # type: ignore[attr-defined]
    assert (await outbox_types(admin_conn, base["id"]))[-3:] == ["resource.menu_changed.v1"] * 3

    venue = await make_resource()
    not_a_base = await gql(
        ADD_ITEM,
        {"input": {"resourceId": venue["id"], "name": "菜单", "durationMinutes": 30}},
        login="street-admin",
    )
    assert (error_code(not_a_base), field_of(not_a_base)) == ("BAD_USER_INPUT", "resourceId")
