"""Hostile scalar input answers BAD_USER_INPUT naming the field, never INTERNAL_SERVER_ERROR.

Each case was answered INTERNAL_SERVER_ERROR before scalar input was checked in one place
(``schema.scalars`` and ``schema.input_checks``).
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.conftest import Tokens

NUL = "a\u0000"
SURROGATE = "a\ud800"
FAR_FUTURE = "9999-12-31T23:00:00-10:00"
FAR_PAST = "0001-01-01T00:00:00+08:00"

RESOURCES = "query($f: ResourceFilter) { resources(filter: $f) { totalCount } }"
ORGANIZATIONS = "query($f: OrganizationFilter) { organizations(filter: $f) { totalCount } }"
BOOKINGS = "query($f: BookingFilter) { bookings(filter: $f) { totalCount } }"
AUDIT = "query($f: AuditLogFilter, $after: String) { auditLog(filter: $f, after: $after) { totalCount } }"
ACTIVITY = "query($t: [String!], $after: String) { activity(types: $t, after: $after) { totalCount } }"


class RawClient:
    """Posts GraphQL as JSON with \\u escapes, so lone surrogates arrive as a client sends them
    (httpx's own JSON encoding cannot encode them)."""

    def __init__(self, http: httpx.AsyncClient, tokens: Tokens) -> None:
        self.http = http
        self.tokens = tokens

    async def __call__(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        *,
        login: str,
        operation_name: str | None = None,
    ) -> dict[str, object]:
        sent = {"query": query, "variables": variables or {}, "operationName": operation_name}
        response = await self.http.post(
            "/graphql",
            content=json.dumps(sent),
            headers={
                "content-type": "application/json",
                "authorization": f"Bearer {await self.tokens(login)}",
            },
        )
        assert response.status_code < 500, response.text
        body: dict[str, object] = response.json()
        return body


@pytest.fixture
def gql(http: httpx.AsyncClient, tokens: Tokens) -> RawClient:
    return RawClient(http, tokens)


def refusal(body: dict[str, object]) -> tuple[str, str | None]:
    """The code and field of the only error of a response without data."""
    errors = body.get("errors")
    assert errors and len(errors) == 1, body  # type: ignore[arg-type]
    extensions = errors[0]["extensions"]  # type: ignore[index]
    return extensions["code"], extensions.get("field")


@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize(
    ("query", "variables", "login", "field"),
    [
        (RESOURCES, lambda s: {"f": {"search": s}}, "member", "search"),
        (RESOURCES, lambda s: {"f": {"tag": s}}, "member", "tag"),
        (ORGANIZATIONS, lambda s: {"f": {"search": s}}, "member", "search"),
        (AUDIT, lambda s: {"f": {"actorLogin": s}}, "auditor", "actorLogin"),
        (AUDIT, lambda s: {"f": {"entityType": s}}, "auditor", "entityType"),
        (AUDIT, lambda s: {"f": {"entityId": s}}, "auditor", "entityId"),
        (AUDIT, lambda s: {"f": {"action": s}}, "auditor", "action"),
        (ACTIVITY, lambda s: {"t": ["booking.approved.v1", s]}, "member", "types"),
        (ACTIVITY, lambda s: {"after": s}, "member", "after"),
    ],
)
async def test_bad_text_in_variables(
    gql: RawClient, query: str, variables: object, login: str, field: str, text: str
) -> None:
    body = await gql(query, variables(text), login=login)  # type: ignore[operator]
    assert refusal(body) == ("BAD_USER_INPUT", field)


async def test_bad_text_in_a_literal(gql: RawClient) -> None:
    body = await gql('{ resources(filter: {search: "a\\u0000"}) { totalCount } }', login="member")
    assert refusal(body) == ("BAD_USER_INPUT", "search")


async def test_unknown_operation_name_with_a_lone_surrogate(gql: RawClient) -> None:
    body = await gql("query Q { apiVersion }", login="member", operation_name=SURROGATE)
    assert refusal(body)[0] == "BAD_REQUEST"


async def test_overlong_text(gql: RawClient) -> None:
    body = await gql(RESOURCES, {"f": {"search": "x" * 20_000}}, login="member")
    assert refusal(body) == ("BAD_USER_INPUT", "search")


@pytest.mark.parametrize("when", [FAR_FUTURE, FAR_PAST, "2030-01-01T10:00:00+23:00"])
@pytest.mark.parametrize(
    ("query", "variables", "login", "field"),
    [
        (BOOKINGS, lambda d: {"f": {"from": d}}, "alliance-admin", "from"),
        (BOOKINGS, lambda d: {"f": {"to": d}}, "alliance-admin", "to"),
        (
            RESOURCES,
            lambda d: {"f": {"freeFrom": "2030-01-01T10:00:00+08:00", "freeTo": d}},
            "member",
            "freeTo",
        ),
        (
            RESOURCES,
            lambda d: {"f": {"freeFrom": d, "freeTo": "2030-01-01T10:00:00+08:00"}},
            "member",
            "freeFrom",
        ),
        (AUDIT, lambda d: {"f": {"since": d}}, "auditor", "since"),
        (AUDIT, lambda d: {"f": {"until": d}}, "auditor", "until"),
    ],
)
async def test_dates_out_of_range(
    gql: RawClient, query: str, variables: object, login: str, field: str, when: str
) -> None:
    body = await gql(query, variables(when), login=login)  # type: ignore[operator]
    assert refusal(body) == ("BAD_USER_INPUT", field)


async def test_date_out_of_range_in_a_literal(gql: RawClient) -> None:
    body = await gql(
        f'{{ bookings(filter: {{to: "{FAR_FUTURE}"}}) {{ totalCount }} }}', login="alliance-admin"
    )
    assert refusal(body) == ("BAD_USER_INPUT", "to")


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("query", "login", "cursor"),
    [
        (ACTIVITY, "member", "YWN0aXZpdHk6wrI="),  # "activity:²": isdigit() but not int()
        (ACTIVITY, "member", _cursor("activity:" + "9" * 40)),  # beyond bigint
        (AUDIT, "auditor", _cursor("audit:²")),
        (AUDIT, "auditor", _cursor("audit:" + "9" * 40)),
    ],
)
async def test_odd_cursors(gql: RawClient, query: str, login: str, cursor: str) -> None:
    body = await gql(query, {"after": cursor}, login=login)
    assert refusal(body) == ("BAD_USER_INPUT", "after")


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        ("query($n: Int) { resources(first: $n) { totalCount } }", {"n": "many"}, "first"),
        ("query($n: Int) { resources(first: $n) { totalCount } }", {"n": 2**40}, "first"),
        (RESOURCES, {"f": {"minCapacity": "x"}}, "minCapacity"),
        (RESOURCES, {"f": {"kind": "CASTLE"}}, "kind"),
        (BOOKINGS, {"f": {"from": "next tuesday"}}, "from"),
    ],
)
async def test_coercion_errors_name_the_field(
    gql: RawClient, query: str, variables: dict[str, object], field: str
) -> None:
    body = await gql(query, variables, login="alliance-admin")
    assert refusal(body) == ("BAD_USER_INPUT", field)


async def test_good_input_still_answers(gql: RawClient) -> None:
    body = await gql(
        BOOKINGS,
        {"f": {"from": "2030-01-01T00:00:00+08:00", "to": "2030-02-01T00:00:00Z"}},
        login="alliance-admin",
    )
    assert body.get("errors") is None, body
