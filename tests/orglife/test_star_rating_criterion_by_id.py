"""starRatingCriterion(id) answers one criterion exactly as starRatingCriteria lists it."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.directory.operations import create_api_key
from services.orglife.demo import seed_orglife
from tests.conftest import GraphQLClient, error_code

FIELDS = "id code name weight maxScore"
CRITERION = f"query($id: ID!) {{ starRatingCriterion(id: $id) {{ {FIELDS} }} }}"
CRITERIA = f"{{ starRatingCriteria {{ {FIELDS} }} }}"


async def test_a_criterion_by_id_is_the_listed_one(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    await seed_orglife(admin_conn)
    key = await create_api_key(admin_conn, tenant_slug="demo", name=f"细则-{uuid.uuid4().hex[:6]}")
    callers: list[dict[str, Any]] = [
        *({"login": login} for login in ("alliance-admin", "street-admin", "member", "auditor")),
        {"headers": {"x-api-key": key.plaintext}},
    ]
    for who in callers:
        listed: dict[str, Any] = await gql(CRITERIA, **who)
        criteria = listed["data"]["starRatingCriteria"]
        assert criteria, who
        for criterion in criteria:
            body = await gql(CRITERION, {"id": criterion["id"]}, **who)
            assert body == {"data": {"starRatingCriterion": criterion}}, who


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    await seed_orglife(admin_conn)
    criterion = await admin_conn.fetchval(
        "SELECT id FROM star_rating_criteria WHERE tenant_id = $1 LIMIT 1", demo["demo"]
    )
    for given, tenant, code in (
        (str(criterion), "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body: dict[str, Any] = await gql(CRITERION, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"
    # Every role reads the catalogue, as the list: only an unauthenticated caller is refused.
    assert error_code(await gql(CRITERION, {"id": str(criterion)})) == "UNAUTHENTICATED"
