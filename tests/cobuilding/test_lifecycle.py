"""A project's status moves PLANNED → RUNNING → DONE, or DROPPED before done, and nowhere else;
retiring a dimension keeps its history readable, refuses new commitments, and defining it
again brings it back."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.cobuilding.conftest import DRAFT, PROJECT, SIGN, draft_input, signed_agreement
from tests.conftest import GraphQLClient, error_code
from tests.support.writes import WritesNothing

STATUS = """
mutation($input: SetCobuildingProjectStatusInput!) {
  setCobuildingProjectStatus(input: $input) { project { id status } }
}
"""
PROJECTS = """
query($id: ID!) { cobuildingAgreement(id: $id) { projects { id status dimensionCode } } }
"""
DEFINE = """
mutation($input: DefineCobuildingDimensionInput!) {
  defineCobuildingDimension(input: $input) { dimension { code name active } }
}
"""
RETIRE = """
mutation($input: RetireCobuildingDimensionInput!) {
  retireCobuildingDimension(input: $input) { dimension { code active } }
}
"""
DIMENSIONS = "{ cobuildingDimensions { code name active } }"
HISTORY = """
query($id: ID!) {
  cobuildingAgreement(id: $id) {
    dimensions
    commitments { dimensionCode dimensionName }
    versions { commitments { dimensionCode } }
    projects { title dimensionCode }
  }
}
"""


async def _project(
    gql: GraphQLClient, cob: dict[str, str], agreement_id: str, dimension: str = "ACTIVITIES"
) -> str:
    year = dt.date.today().year
    body = await gql(
        PROJECT,
        {
            "input": {
                "agreementId": agreement_id,
                "dimensionCode": dimension,
                "title": f"项目-{dimension}",
                "leadOrganizationId": cob["demo:STREET_COMMITTEE"],
                "startDate": f"{year}-02-01",
                "endDate": f"{year}-11-30",
            }
        },
        login="street-admin",
    )
    assert "errors" not in body, body
    return str(body["data"]["createCobuildingProject"]["project"]["id"])  # type: ignore[index]


async def _status(gql: GraphQLClient, agreement_id: str, project_id: str) -> str:
    body = await gql(PROJECTS, {"id": agreement_id}, login="auditor")
    return next(p["status"] for p in body["data"]["cobuildingAgreement"]["projects"] if p["id"] == project_id)  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        # Through every allowed step; then every step out of the end state is refused.
        (["RUNNING", "DONE"], ["PLANNED", "RUNNING", "DROPPED", "DONE"]),
        (["DROPPED"], ["PLANNED", "RUNNING", "DONE", "DROPPED"]),
        (["RUNNING", "DROPPED"], ["PLANNED", "RUNNING", "DONE", "DROPPED"]),
        # Skipping or going back from where it is.
        ([], ["DONE", "PLANNED"]),
        (["RUNNING"], ["PLANNED", "RUNNING"]),
    ],
)
async def test_project_status_transitions(
    gql: GraphQLClient,
    cob: dict[str, str],
    writes_nothing: WritesNothing,
    path: list[str],
    refused: list[str],
) -> None:
    agreement_id = await signed_agreement(gql, cob)
    project_id = await _project(gql, cob, agreement_id)
    assert await _status(gql, agreement_id, project_id) == "PLANNED"
    for login, status in zip(("soe-admin", "street-admin", "alliance-admin"), path, strict=False):
        body = await gql(STATUS, {"input": {"id": project_id, "status": status}}, login=login)
        assert body["data"]["setCobuildingProjectStatus"]["project"]["status"] == status, body  # type: ignore[index]
        assert await _status(gql, agreement_id, project_id) == status
    reached = path[-1] if path else "PLANNED"
    for status in refused:
        async with writes_nothing():
            body = await gql(STATUS, {"input": {"id": project_id, "status": status}}, login="soe-admin")
            assert error_code(body) == "CONFLICT", (reached, status, body)
    assert await _status(gql, agreement_id, project_id) == reached


async def test_retiring_keeps_history_and_defining_again_brings_it_back(
    gql: GraphQLClient, cob: dict[str, str], writes_nothing: WritesNothing
) -> None:
    code = f"RET_{uuid.uuid4().hex[:6].upper()}"
    defined = await gql(DEFINE, {"input": {"code": code.lower(), "name": "临时维度"}}, login="alliance-admin")
    assert defined["data"]["defineCobuildingDimension"]["dimension"] == {  # type: ignore[index]
        "code": code,
        "name": "临时维度",
        "active": True,
    }
    commitments = [{"dimensionCode": code, "enterpriseCommitment": "企业做", "localCommitment": "街道做"}]
    body = await gql(DRAFT, {"input": draft_input(cob, commitments=commitments)}, login="soe-admin")
    agreement_id = body["data"]["draftCobuildingAgreement"]["agreement"]["id"]  # type: ignore[index]
    for login in ("soe-admin", "street-admin"):
        assert "errors" not in await gql(SIGN, {"input": {"id": agreement_id}}, login=login)
    await _project(gql, cob, agreement_id, code)

    retired = await gql(RETIRE, {"input": {"code": code}}, login="alliance-admin")
    assert retired["data"]["retireCobuildingDimension"]["dimension"] == {"code": code, "active": False}  # type: ignore[index]
    catalogue = (await gql(DIMENSIONS, login="member"))["data"]["cobuildingDimensions"]  # type: ignore[index]
    assert {"code": code, "name": "临时维度", "active": False} in catalogue
    history = (await gql(HISTORY, {"id": agreement_id}, login="member"))["data"]["cobuildingAgreement"]  # type: ignore[index]
    assert history["dimensions"] == [code]
    assert history["commitments"] == [{"dimensionCode": code, "dimensionName": "临时维度"}]
    assert history["versions"] == [{"commitments": [{"dimensionCode": code}]}]
    assert history["projects"] == [{"title": f"项目-{code}", "dimensionCode": code}]

    async with writes_nothing():
        body = await gql(DRAFT, {"input": draft_input(cob, commitments=commitments)}, login="soe-admin")
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "commitments"}  # type: ignore[index]
    async with writes_nothing():
        assert error_code(await gql(RETIRE, {"input": {"code": code}}, login="alliance-admin")) == "CONFLICT"
    async with writes_nothing():
        unknown = await gql(RETIRE, {"input": {"code": "NO_SUCH_DIMENSION"}}, login="alliance-admin")
        assert error_code(unknown) == "NOT_FOUND"

    again = await gql(DEFINE, {"input": {"code": code, "name": "恢复的维度"}}, login="alliance-admin")
    assert again["data"]["defineCobuildingDimension"]["dimension"]["active"] is True  # type: ignore[index]
    catalogue = (await gql(DIMENSIONS, login="member"))["data"]["cobuildingDimensions"]  # type: ignore[index]
    assert [d for d in catalogue if d["code"] == code] == [
        {"code": code, "name": "恢复的维度", "active": True}
    ]
    body = await gql(DRAFT, {"input": draft_input(cob, commitments=commitments)}, login="soe-admin")
    assert "errors" not in body, body
