"""Target responsibility letters (党建目标责任书): issued to the level below, signed (签订) by
its admin, unsigned ones listed for the issuer."""

from __future__ import annotations

import uuid

from tests.conftest import GraphQLClient, error_code
from tests.ledger.conftest import CREATE, data, field_of, local_today
from tests.support.writes import WritesNothing

ISSUE = """
mutation($input: IssueResponsibilityLetterInput!) {
  issueResponsibilityLetter(input: $input) {
    letter { id organizationId issuerOrganizationId year itemIds acknowledgedAt acknowledgedBy issuedBy }
  }
}
"""
ACKNOWLEDGE = """
mutation($input: AcknowledgeResponsibilityLetterInput!) {
  acknowledgeResponsibilityLetter(input: $input) { letter { id acknowledgedAt acknowledgedBy } }
}
"""
LETTER = "query($id: ID!) { responsibilityLetter(id: $id) { id } }"
LETTERS = """
query($filter: ResponsibilityLetterFilter) {
  responsibilityLetters(filter: $filter) { totalCount edges { node { id organizationId acknowledgedAt } } }
}
"""


async def _responsibility(
    gql: GraphQLClient, org: uuid.UUID, year: int, list_: str = "RESPONSIBILITY"
) -> str:
    body = await gql(
        CREATE,
        {
            "input": {
                "list": list_,
                "organizationId": str(org),
                "year": year,
                "title": "履行党建工作责任",
                "dueDate": f"{year}-12-31",
            }
        },
        login="street-admin",
    )
    return str(data(body, "createLedgerItem", "ledgerItem")["id"])


async def test_issue_list_and_acknowledge(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID], garden_admin: str
) -> None:
    # A year of its own, so the one-letter-per-year rule meets only this test's letters.
    year = local_today().year + 1 + uuid.uuid4().int % 50
    garden, street = orgs["garden"], orgs["street"]
    last_year = await _responsibility(gql, garden, year - 1)
    item = await _responsibility(gql, garden, year)
    task = await _responsibility(gql, garden, year, "TASK")

    refused = [
        ({"organizationId": str(garden), "year": year, "itemIds": [task]}, "street-admin", "BAD_USER_INPUT"),
        ({"organizationId": str(garden), "year": year, "itemIds": []}, "street-admin", "BAD_USER_INPUT"),
        (
            {"organizationId": str(garden), "year": year, "itemIds": [last_year]},
            "street-admin",
            "BAD_USER_INPUT",
        ),
        ({"organizationId": str(street), "year": year, "itemIds": [item]}, "street-admin", "FORBIDDEN"),
        ({"organizationId": str(garden), "year": year, "itemIds": [item]}, "soe-admin", "FORBIDDEN"),
        ({"organizationId": str(garden), "year": year, "itemIds": [item]}, garden_admin, "FORBIDDEN"),
    ]
    for given, login, code in refused:
        assert error_code(await gql(ISSUE, {"input": given}, login=login)) == code, (given, login)
    bad = await gql(ISSUE, {"input": refused[0][0]}, login="street-admin")
    assert field_of(bad) == "itemIds"

    letter = data(
        await gql(
            ISSUE,
            {"input": {"organizationId": str(garden), "year": year, "itemIds": [item]}},
            login="street-admin",
        ),
        "issueResponsibilityLetter",
        "letter",
    )
    assert (letter["issuerOrganizationId"], letter["itemIds"], letter["acknowledgedAt"]) == (
        str(street),
        [item],
        None,
    )
    again = await gql(
        ISSUE,
        {"input": {"organizationId": str(garden), "year": year, "itemIds": [item]}},
        login="street-admin",
    )
    assert error_code(again) == "CONFLICT"

    waiting = await gql(LETTERS, {"filter": {"acknowledged": False, "year": year}}, login="street-admin")
    assert [e["node"]["id"] for e in data(waiting, "responsibilityLetters")["edges"]] == [letter["id"]]  # type: ignore[index]

    assert (
        error_code(await gql(ACKNOWLEDGE, {"input": {"id": letter["id"]}}, login="street-admin"))
        == "FORBIDDEN"
    )
    signed = data(
        await gql(ACKNOWLEDGE, {"input": {"id": letter["id"]}}, login=garden_admin),
        "acknowledgeResponsibilityLetter",
        "letter",
    )
    assert signed["acknowledgedBy"] == garden_admin and signed["acknowledgedAt"] is not None
    assert (
        error_code(await gql(ACKNOWLEDGE, {"input": {"id": letter["id"]}}, login=garden_admin)) == "CONFLICT"
    )
    waiting = await gql(LETTERS, {"filter": {"acknowledged": False, "year": year}}, login="street-admin")
    assert data(waiting, "responsibilityLetters")["totalCount"] == 0
    other = await gql(ACKNOWLEDGE, {"input": {"id": letter["id"]}}, login="soe-admin", tenant="other")
    assert error_code(other) == "NOT_FOUND"


async def test_acknowledging_a_letter_one_may_not_see_answers_not_found(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID], garden_admin: str, writes_nothing: WritesNothing
) -> None:
    """A letter outside the caller's reach does not exist for it, as responsibilityLetter(id)
    answers: NOT_FOUND on the letter's id, never FORBIDDEN (which would tell it the letter is
    there). FORBIDDEN stays for a reader of the letter that is not the recipient's admin."""
    year = local_today().year + 1 + uuid.uuid4().int % 50
    item = await _responsibility(gql, orgs["garden"], year)
    issued = await gql(
        ISSUE,
        {"input": {"organizationId": str(orgs["garden"]), "year": year, "itemIds": [item]}},
        login="street-admin",
    )
    letter = str(data(issued, "issueResponsibilityLetter", "letter")["id"])

    # The SOE's admin may sign letters at all, but this one is neither to nor from its reach.
    assert error_code(await gql(LETTER, {"id": letter}, login="soe-admin")) == "NOT_FOUND"
    # In its own alliance as in the other one (where the SOE's admin holds a role too).
    for tenant in ("demo", "other"):
        async with writes_nothing():
            refused = await gql(ACKNOWLEDGE, {"input": {"id": letter}}, login="soe-admin", tenant=tenant)
        assert refused["data"] is None and error_code(refused) == "NOT_FOUND", tenant
        assert field_of(refused) == "id", tenant
    # The issuer's admin sees the letter but does not sign it: FORBIDDEN.
    assert "errors" not in await gql(LETTER, {"id": letter}, login="street-admin")
    async with writes_nothing():
        assert (
            error_code(await gql(ACKNOWLEDGE, {"input": {"id": letter}}, login="street-admin")) == "FORBIDDEN"
        )
    signed = await gql(ACKNOWLEDGE, {"input": {"id": letter}}, login=garden_admin)
    assert data(signed, "acknowledgeResponsibilityLetter", "letter")["acknowledgedBy"] == garden_admin
