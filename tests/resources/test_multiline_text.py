"""A description keeps its paragraphs through the API; a title stays one line."""

from __future__ import annotations

from tests.conftest import GraphQLClient, error_code
from tests.resources.conftest import CREATE, MakeResource, field_of

READ = "query($id: ID!) { resource(id: $id) { description } }"


async def test_a_description_keeps_its_line_breaks(gql: GraphQLClient, make_resource: MakeResource) -> None:
    created = await make_resource(description="开放时间：\r\n周一至周五\n\t（节假日除外）")
    body = await gql(READ, {"id": created["id"]}, login="street-admin")
    assert body["data"]["resource"]["description"] == "开放时间：\n周一至周五\n\t（节假日除外）"  # type: ignore[index]


async def test_a_title_with_a_line_break_is_refused(gql: GraphQLClient, fresh_org: object) -> None:
    payload = {"kind": "VENUE", "title": "会议室\n二楼", "ownerOrgId": str(fresh_org), "capacity": 10}
    body = await gql(CREATE, {"input": payload}, login="street-admin")
    assert error_code(body) == "BAD_USER_INPUT"
    assert field_of(body) == "title"
