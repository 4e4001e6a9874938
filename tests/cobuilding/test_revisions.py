"""Revising an agreement (修订): a new version both sides sign again, the signed one staying in
force until then; terminating (终止): a reason, the parties' admins only, and nothing after."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg

from tests.cobuilding.conftest import DRAFT, PROJECT, SIGN, draft_input, signed_agreement
from tests.conftest import GraphQLClient, Tokens, error_code
from tests.support.writes import WritesNothing

REVISE = """
mutation($input: ReviseCobuildingAgreementInput!) {
  reviseCobuildingAgreement(input: $input) {
    agreement { id status title version latestVersion signedVersion dimensions }
  }
}
"""
TERMINATE = """
mutation($input: TerminateCobuildingAgreementInput!) {
  terminateCobuildingAgreement(input: $input) { agreement { id status terminationReason } }
}
"""
READ = """
query($id: ID!) {
  cobuildingAgreement(id: $id) {
    status title version latestVersion signedVersion dimensions
    versions { version title signedAt commitments { dimensionCode } signatures { side login } }
  }
}
"""
TALENT = {"dimensionCode": "TALENT", "enterpriseCommitment": "派人才", "localCommitment": "给岗位"}
ACTIVITIES = {"dimensionCode": "ACTIVITIES", "enterpriseCommitment": "出资", "localCommitment": "出场地"}


def _project(agreement_id: str, cob: dict[str, str], dimension: str) -> dict[str, object]:
    year = dt.date.today().year
    return {
        "agreementId": agreement_id,
        "dimensionCode": dimension,
        "title": "修订后的项目",
        "leadOrganizationId": cob["demo:SOE"],
        "startDate": f"{year}-03-01",
        "endDate": f"{year}-06-30",
    }


async def _read(gql: GraphQLClient, agreement_id: str) -> dict[str, object]:
    body = await gql(READ, {"id": agreement_id}, login="alliance-admin")
    assert "errors" not in body, body
    found: dict[str, object] = body["data"]["cobuildingAgreement"]  # type: ignore[index]
    return found


async def _signed_events(admin_conn: asyncpg.Connection, agreement_id: str) -> int:
    count: int = await admin_conn.fetchval(
        "SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'cobuilding_agreement.signed.v1'",
        agreement_id,
    )
    return count


async def test_a_signed_agreement_stays_in_force_until_both_sign_the_revision(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str]
) -> None:
    agreement_id = await signed_agreement(gql, cob)
    body = await gql(
        REVISE,
        {"input": {"id": agreement_id, "title": "修订版协议", "commitments": [ACTIVITIES, TALENT]}},
        login="street-admin",
    )
    revised = body["data"]["reviseCobuildingAgreement"]["agreement"]  # type: ignore[index]
    # The signed version is what readers see and what projects go by, until the revision is signed.
    assert revised["status"] == "ACTIVE"
    assert (revised["version"], revised["latestVersion"], revised["signedVersion"]) == (1, 2, 1)
    assert revised["title"] == "测试协议" and revised["dimensions"] == ["ACTIVITIES"]
    shown = await _read(gql, agreement_id)
    versions = shown["versions"]
    assert [v["version"] for v in versions] == [1, 2]  # type: ignore[union-attr]
    old, new = versions  # type: ignore[misc]
    assert old["title"] == "测试协议" and old["signedAt"] is not None
    assert sorted(s["side"] for s in old["signatures"]) == ["ENTERPRISE", "LOCAL"]
    assert [c["dimensionCode"] for c in old["commitments"]] == ["ACTIVITIES"]
    assert new["title"] == "修订版协议" and new["signedAt"] is None and new["signatures"] == []
    assert sorted(c["dimensionCode"] for c in new["commitments"]) == ["ACTIVITIES", "TALENT"]
    talent = await gql(PROJECT, {"input": _project(agreement_id, cob, "TALENT")}, login="soe-admin")
    assert error_code(talent) == "BAD_USER_INPUT", talent
    assert "errors" not in await gql(
        PROJECT, {"input": _project(agreement_id, cob, "ACTIVITIES")}, login="soe-admin"
    )

    # One side's signature leaves version 1 in force.
    one = await gql(SIGN, {"input": {"id": agreement_id}}, login="soe-admin")
    assert one["data"]["signCobuildingAgreement"]["agreement"]["signedVersion"] == 1  # type: ignore[index]
    assert (await _read(gql, agreement_id))["title"] == "测试协议"
    both = await gql(SIGN, {"input": {"id": agreement_id}}, login="street-admin")
    assert both["data"]["signCobuildingAgreement"]["agreement"]["signedVersion"] == 2  # type: ignore[index]
    shown = await _read(gql, agreement_id)
    assert (shown["title"], shown["version"], shown["status"]) == ("修订版协议", 2, "ACTIVE")
    assert sorted(shown["dimensions"]) == ["ACTIVITIES", "TALENT"]  # type: ignore[type-var]
    assert [v["title"] for v in shown["versions"]] == ["测试协议", "修订版协议"]  # type: ignore[union-attr]
    assert "errors" not in await gql(
        PROJECT, {"input": _project(agreement_id, cob, "TALENT")}, login="soe-admin"
    )
    assert await _signed_events(admin_conn, agreement_id) == 2


async def test_concurrent_signatures_of_a_revision_count_once(
    gql: GraphQLClient, tokens: Tokens, admin_conn: asyncpg.Connection, cob: dict[str, str]
) -> None:
    agreement_id = await signed_agreement(gql, cob)
    assert "errors" not in await gql(
        REVISE, {"input": {"id": agreement_id, "title": "二版"}}, login="soe-admin"
    )
    # Tokens first: issuing one reads the database on the test's own connection.
    bearers = [f"Bearer {await tokens(login)}" for login in ("soe-admin", "street-admin", "soe-admin")]
    results = await asyncio.gather(
        *(gql(SIGN, {"input": {"id": agreement_id}}, headers={"authorization": b}) for b in bearers)
    )
    assert sorted(str(error_code(r)) for r in results) == ["CONFLICT", "None", "None"], results
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM cobuilding_signatures WHERE agreement_id = $1 AND version = 2",
            agreement_id,
        )
        == 2
    )
    assert await _signed_events(admin_conn, agreement_id) == 2
    shown = await _read(gql, agreement_id)
    assert (shown["signedVersion"], shown["title"]) == (2, "二版")


async def test_revising_a_draft_asks_for_both_signatures_of_the_new_version(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str]
) -> None:
    body = await gql(DRAFT, {"input": draft_input(cob)}, login="soe-admin")
    agreement_id = body["data"]["draftCobuildingAgreement"]["agreement"]["id"]  # type: ignore[index]
    assert "errors" not in await gql(SIGN, {"input": {"id": agreement_id}}, login="soe-admin")
    body = await gql(REVISE, {"input": {"id": agreement_id, "title": "草稿二版"}}, login="street-admin")
    revised = body["data"]["reviseCobuildingAgreement"]["agreement"]  # type: ignore[index]
    # An unsigned agreement shows its latest draft.
    assert (revised["status"], revised["title"], revised["version"], revised["signedVersion"]) == (
        "DRAFT",
        "草稿二版",
        2,
        None,
    )
    # The enterprise side's signature was for version 1: the local side's alone does not sign version 2.
    alone = await gql(SIGN, {"input": {"id": agreement_id}}, login="street-admin")
    assert alone["data"]["signCobuildingAgreement"]["agreement"]["status"] == "DRAFT"  # type: ignore[index]
    done = await gql(SIGN, {"input": {"id": agreement_id}}, login="soe-admin")
    assert done["data"]["signCobuildingAgreement"]["agreement"]["signedVersion"] == 2  # type: ignore[index]
    versions = (await _read(gql, agreement_id))["versions"]
    assert [len(v["signatures"]) for v in versions] == [1, 2]  # type: ignore[union-attr]
    assert versions[0]["signedAt"] is None  # type: ignore[index]


async def test_terminating_needs_a_reason_and_a_party_admin_and_ends_the_agreement(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    cob: dict[str, str],
    writes_nothing: WritesNothing,
) -> None:
    agreement_id = await signed_agreement(gql, cob)
    for reason in ("", "   "):
        async with writes_nothing():
            body = await gql(TERMINATE, {"input": {"id": agreement_id, "reason": reason}}, login="soe-admin")
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # type: ignore[index]
            assert body["errors"][0]["extensions"]["field"] == "reason"  # type: ignore[index]
    for login in ("member", "auditor"):
        async with writes_nothing():
            body = await gql(TERMINATE, {"input": {"id": agreement_id, "reason": "合作结束"}}, login=login)
            assert error_code(body) == "FORBIDDEN"
    body = await gql(
        TERMINATE, {"input": {"id": agreement_id, "reason": "企业改制\n合作终止"}}, login="street-admin"
    )
    ended = body["data"]["terminateCobuildingAgreement"]["agreement"]  # type: ignore[index]
    assert (ended["status"], ended["terminationReason"]) == ("TERMINATED", "企业改制\n合作终止")
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'cobuilding_agreement.terminated.v1'",
            agreement_id,
        )
        == 1
    )
    refused = [
        (TERMINATE, {"id": agreement_id, "reason": "再终止一次"}, "alliance-admin", {"CONFLICT"}),
        (PROJECT, _project(agreement_id, cob, "ACTIVITIES"), "soe-admin", {"CONFLICT", "BAD_USER_INPUT"}),
        (REVISE, {"id": agreement_id, "title": "终止后修订"}, "soe-admin", {"CONFLICT"}),
        (SIGN, {"id": agreement_id}, "soe-admin", {"CONFLICT"}),
    ]
    for document, given, login, codes in refused:
        async with writes_nothing():
            body = await gql(document, {"input": given}, login=login)
            assert error_code(body) in codes, (given, body)
    shown = await _read(gql, agreement_id)
    assert (shown["status"], len(shown["versions"])) == ("TERMINATED", 1)  # type: ignore[arg-type]


async def test_the_alliance_admin_terminates_and_a_draft_cannot_be_terminated(
    gql: GraphQLClient, cob: dict[str, str], writes_nothing: WritesNothing
) -> None:
    agreement_id = await signed_agreement(gql, cob)
    body = await gql(
        TERMINATE, {"input": {"id": agreement_id, "reason": "区里统筹调整"}}, login="alliance-admin"
    )
    assert body["data"]["terminateCobuildingAgreement"]["agreement"]["status"] == "TERMINATED"  # type: ignore[index]
    drafted = await gql(DRAFT, {"input": draft_input(cob)}, login="soe-admin")
    draft_id = drafted["data"]["draftCobuildingAgreement"]["agreement"]["id"]  # type: ignore[index]
    async with writes_nothing():
        body = await gql(TERMINATE, {"input": {"id": draft_id, "reason": "不签了"}}, login="soe-admin")
        assert error_code(body) == "CONFLICT"
