"""Star rating (星级创评): the catalogue, a rating's level from the thresholds, the organisation's
starRating derived from its latest rating; partners read ratings, sites and figures only."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code
from tests.orglife.conftest import data
from tests.support.organizations import org_id
from tests.support.writes import WritesNothing

PRIVATE = "新华科技有限公司党支部"
RATE = """
mutation($input: RateOrganizationInput!) {
  rateOrganization(input: $input) { rating { id year total level scores { criterionCode score } } }
}
"""
DEFINE = """
mutation($input: DefineStarRatingCriterionInput!) {
  defineStarRatingCriterion(input: $input) { criterion { code name weight maxScore } }
}
"""


@pytest.fixture
async def partner_key(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> str:
    key = await create_api_key(admin_conn, tenant_slug="demo", name=f"组织生活大屏-{uuid.uuid4().hex[:4]}")
    return key.plaintext


def field_of(body: dict[str, object]) -> str | None:
    errors = body.get("errors")
    assert errors, body
    return errors[0]["extensions"].get("field")  # type: ignore[index, no-any-return]


async def test_a_rating_sets_the_level_and_the_organizations_star_rating(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    orgs: dict[str, uuid.UUID],
    writes_nothing: WritesNothing,
) -> None:
    private = await org_id(admin_conn, demo["demo"], PRIVATE)
    criteria = data(
        await gql("{ starRatingCriteria { code weight maxScore } }", login="alliance-admin"),
        "starRatingCriteria",
    )
    codes = [c["code"] for c in criteria]  # type: ignore[index, union-attr]
    assert codes == ["ACTIVITIES", "MEMBERS", "ORGANIZATION", "ROLE"]
    year = 2031 + uuid.uuid4().int % 100  # a year of its own, later than the demo's
    refusals = [
        (
            {
                "organizationId": str(private),
                "year": year,
                "scores": [{"criterionCode": "ROLE", "score": 101}],
            },
            "scores",
        ),
        (
            {"organizationId": str(private), "year": year, "scores": [{"criterionCode": "NOPE", "score": 1}]},
            "scores",
        ),
        (
            {
                "organizationId": str(orgs["garden"]),
                "year": year,
                "scores": [{"criterionCode": "ROLE", "score": 1}],
            },
            "organizationId",
        ),
    ]
    for given, field in refusals:
        async with writes_nothing():
            answer = await gql(RATE, {"input": given}, login="alliance-admin")
        assert error_code(answer) == "BAD_USER_INPUT" and field_of(answer) == field, answer
    scores = {"ORGANIZATION": 70, "ACTIVITIES": 60, "MEMBERS": 80, "ROLE": 64}
    rating = data(
        await gql(
            RATE,
            {
                "input": {
                    "organizationId": str(private),
                    "year": year,
                    "scores": [{"criterionCode": k, "score": v} for k, v in scores.items()],
                }
            },
            login="alliance-admin",
        ),
        "rateOrganization",
        "rating",
    )
    # Weights 30/25/20/25 of 100 each: 0.3·70 + 0.25·60 + 0.2·80 + 0.25·64 = 68 → 2 stars (60 ≤ 68 < 70).
    assert rating["total"] == 68.0 and rating["level"] == 2
    again = await gql(
        RATE,
        {
            "input": {
                "organizationId": str(private),
                "year": year,
                "scores": [{"criterionCode": "ROLE", "score": 1}],
            }
        },
        login="alliance-admin",
    )
    assert error_code(again) == "CONFLICT"
    organization = data(
        await gql(
            "query($id: ID!) { organization(id: $id) { starRating } }", {"id": str(private)}, login="member"
        ),
        "organization",
    )
    assert organization["starRating"] == 2
    history = data(
        await gql(
            "query($f: StarRatingFilter) { starRatings(filter: $f) { totalCount edges { node { year level } } } }",
            {"f": {"organizationId": str(private)}},
            login="member",
        ),
        "starRatings",
    )
    assert history["totalCount"] >= 2  # the demo's year and this one


async def test_who_may_do_what(gql: GraphQLClient, partner_key: str, orgs: dict[str, uuid.UUID]) -> None:
    partner = {"X-Api-Key": partner_key}
    sites = data(
        await gql("{ demonstrationSites { brandName organization { name } } }", headers=partner),
        "demonstrationSites",
    )
    assert sites == [{"brandName": "花园红色驿站", "organization": {"name": "花园社区党委"}}]
    assert (
        data(await gql("{ starRatings { totalCount } }", headers=partner), "starRatings")["totalCount"] >= 2
    )
    figures = await gql(
        "query($y: Int!) { organisationalLifeFigures(year: $y) { held } }", {"y": 2026}, headers=partner
    )
    assert figures.get("errors") is None
    for document in (
        "{ members { totalCount } }",
        "{ transfers { totalCount } }",
        "{ organisationalLife { totalCount } }",
        'query { politicalBirthdays(from: "2026-01-01") { name } }',
    ):
        assert error_code(await gql(document, headers=partner)) == "FORBIDDEN", document
    define = {"input": {"code": "EXTRA", "name": "额外", "weight": 1, "maxScore": 10}}
    assert error_code(await gql(DEFINE, define, login="street-admin")) == "FORBIDDEN"
    assert (
        error_code(await gql('{ politicalBirthdays(from: "2026-01-01") { name } }', login="member"))
        == "FORBIDDEN"
    )
    assert error_code(await gql("{ transfers { totalCount } }", login="member")) == "FORBIDDEN"
    sessions = data(
        await gql(
            "query($f: OrganisationalLifeFilter) { organisationalLife(filter: $f) { totalCount } }",
            {"f": {"organizationId": str(orgs["riverside"])}},
            login="member",
        ),
        "organisationalLife",
    )
    assert sessions["totalCount"] == 0  # a member reads their own branch's sessions only
