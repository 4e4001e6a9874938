"""starRating(id) answers one rating to exactly those to whom starRatings shows it."""

from __future__ import annotations

import uuid

import asyncpg

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code

FIELDS = "id organizationId year total level ratedAt scores { criterionCode score } organization { name }"
RATING = f"query($id: ID!) {{ starRating(id: $id) {{ {FIELDS} }} }}"
RATINGS = f"{{ starRatings(first: 100) {{ edges {{ node {{ {FIELDS} }} }} }} }}"


async def _ratings(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> list[str]:
    rows = await admin_conn.fetch("SELECT id FROM star_ratings WHERE tenant_id = $1 ORDER BY id", tenant_id)
    assert rows, "the orglife demo holds ratings"
    return [str(row["id"]) for row in rows]


async def test_a_rating_by_id_as_the_list_shows_it(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    orgs: dict[str, uuid.UUID],
) -> None:
    every = await _ratings(admin_conn, demo["demo"])
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"星级-{uuid.uuid4().hex[:6]}")
    # Every role reads every rating (星级创评 is public within the alliance), a partner key too.
    for asked in (
        *({"login": login} for login in ("alliance-admin", "street-admin", "member", "auditor")),
        {"headers": {"x-api-key": created.plaintext}},
    ):
        listed = await gql(RATINGS, **asked)  # type: ignore[arg-type]
        shown = {edge["node"]["id"]: edge["node"] for edge in listed["data"]["starRatings"]["edges"]}  # type: ignore[index]
        assert set(shown) == set(every), asked
        for rating in every:
            body = await gql(RATING, {"id": rating}, **asked)  # type: ignore[arg-type]
            assert body == {"data": {"starRating": shown[rating]}}, asked
            assert shown[rating]["scores"], "the scores come with the rating"


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    rating = (await _ratings(admin_conn, demo["demo"]))[0]
    for given, tenant, code in (
        (rating, "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(RATING, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]


async def test_no_rating_without_signing_in(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    """No role is refused ratings, so the one refused is whoever is no one."""
    rating = (await _ratings(admin_conn, demo["demo"]))[0]
    assert error_code(await gql(RATINGS)) == "UNAUTHENTICATED"
    body = await gql(RATING, {"id": rating})
    assert body["data"] is None and error_code(body) == "UNAUTHENTICATED"
