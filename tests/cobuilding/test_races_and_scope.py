"""Two signatures at once count once each and sign exactly once; another tenant's ids answer
NOT_FOUND; partners never see amounts per contribution; roles × operations."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from services.cobuilding.signing import sign_agreement
from services.core.errors import Conflict
from services.core.principal import Principal
from services.core.tenancy import tenant_transaction
from services.directory.operations import create_api_key
from tests.cobuilding.conftest import DRAFT, draft_input
from tests.conftest import GraphQLClient, error_code

AGREEMENT = "query($id: ID!) { cobuildingAgreement(id: $id) { id title status dimensions } }"
AMOUNTS = "query($id: ID!) { cobuildingAgreement(id: $id) { projects { contributions { amount } } } }"
FIGURES = "{ cobuildingFigures { year contributions { kind total } agreementsByStatus { status count } } }"


async def _principal(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, login: str) -> Principal:
    row = await admin_conn.fetchrow(
        "SELECT a.id, r.role, r.organization_id FROM accounts a JOIN role_assignments r ON r.account_id = a.id"
        " WHERE a.login = $1 AND r.tenant_id = $2",
        login,
        tenant_id,
    )
    assert row is not None
    return Principal(
        account_id=row["id"],
        login=login,
        tenant_id=tenant_id,
        tenant_slug="demo",
        roles=frozenset({row["role"]}),
        organization_ids=frozenset({row["organization_id"]}),
        managed_organization_ids=frozenset({row["organization_id"]}),
    )


async def test_concurrent_signatures_sign_exactly_once(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    pool: asyncpg.Pool,
    cob: dict[str, str],
    demo: dict[str, uuid.UUID],
) -> None:
    body = await gql(DRAFT, {"input": draft_input(cob)}, login="soe-admin")
    agreement_id = uuid.UUID(body["data"]["draftCobuildingAgreement"]["agreement"]["id"])  # type: ignore[index]
    soe = await _principal(admin_conn, demo["demo"], "soe-admin")
    street = await _principal(admin_conn, demo["demo"], "street-admin")

    async def sign(actor: Principal) -> str:
        try:
            async with tenant_transaction(pool, actor) as conn:
                return (await sign_agreement(conn, actor=actor, agreement_id=agreement_id)).stored_status
        except Conflict:
            return "CONFLICT"

    # Both sides at once, and the enterprise side twice: each side counts once.
    results = await asyncio.gather(sign(soe), sign(street), sign(soe))
    assert sorted(results).count("CONFLICT") == 1
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM cobuilding_signatures WHERE agreement_id = $1", agreement_id
        )
        == 2
    )
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'cobuilding_agreement.signed.v1'",
            str(agreement_id),
        )
        == 1
    )
    assert (
        await admin_conn.fetchval("SELECT status FROM cobuilding_agreements WHERE id = $1", agreement_id)
        == "SIGNED"
    )


async def test_the_database_refuses_a_second_signature_of_a_side(
    admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    agreement = await admin_conn.fetchval(
        "SELECT id FROM cobuilding_agreements WHERE status = 'SIGNED' LIMIT 1"
    )
    with pytest.raises(asyncpg.UniqueViolationError):
        await admin_conn.execute(
            "INSERT INTO cobuilding_signatures (tenant_id, agreement_id, version, side, organization_id, login)"
            " SELECT tenant_id, $1, 1, 'LOCAL', local_org_id, 'x' FROM cobuilding_agreements WHERE id = $1",
            agreement,
        )


async def test_other_tenants_ids_answer_not_found(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    other = await admin_conn.fetchval(
        "SELECT id FROM cobuilding_agreements WHERE tenant_id = $1 LIMIT 1", demo["other"]
    )
    for login in ("alliance-admin", "auditor", "soe-admin"):
        assert error_code(await gql(AGREEMENT, {"id": str(other)}, login=login)) == "NOT_FOUND"
    signed = await gql(
        "mutation($i: SignCobuildingAgreementInput!) { signCobuildingAgreement(input: $i) { agreement { id } } }",
        {"i": {"id": str(other)}},
        login="alliance-admin",
    )
    assert error_code(signed) == "NOT_FOUND"


async def test_partners_read_titles_and_figures_never_amounts(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"共建大屏-{uuid.uuid4().hex[:6]}")
    headers = {"x-api-key": created.plaintext}
    signed = await admin_conn.fetchval(
        "SELECT id FROM cobuilding_agreements WHERE tenant_id = $1 AND status = 'SIGNED' LIMIT 1",
        demo["demo"],
    )
    draft = await admin_conn.fetchval(
        "SELECT a.id FROM cobuilding_agreements a JOIN organizations o ON o.id = a.local_org_id"
        " WHERE a.tenant_id = $1 AND a.status = 'DRAFT' AND o.name = '花园社区党委'",
        demo["demo"],
    )
    seen = await gql(AGREEMENT, {"id": str(signed)}, headers=headers)
    assert seen["data"]["cobuildingAgreement"]["dimensions"]  # type: ignore[index]
    assert error_code(await gql(AGREEMENT, {"id": str(draft)}, headers=headers)) == "NOT_FOUND"
    assert error_code(await gql(AMOUNTS, {"id": str(signed)}, headers=headers)) == "FORBIDDEN"
    figures = await gql(FIGURES, headers=headers)
    assert "errors" not in figures
    statuses = {row["status"] for row in figures["data"]["cobuildingFigures"]["agreementsByStatus"]}  # type: ignore[index]
    assert "DRAFT" not in statuses
    # The member of a party reads its draft; the member of another organisation does not.
    assert error_code(await gql(AGREEMENT, {"id": str(draft)}, login="member")) is None
    body = await gql(DRAFT, {"input": draft_input(cob)}, login="soe-admin")
    street_draft = body["data"]["draftCobuildingAgreement"]["agreement"]["id"]  # type: ignore[index]
    assert error_code(await gql(AGREEMENT, {"id": street_draft}, login="member")) == "NOT_FOUND"
    assert "errors" not in await gql(AMOUNTS, {"id": str(signed)}, login="member")


@pytest.mark.parametrize(
    ("login", "allowed"),
    [
        ("alliance-admin", True),
        ("soe-admin", True),
        ("street-admin", True),
        ("member", False),
        ("auditor", False),
    ],
)
async def test_role_by_operation_draft(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], login: str, allowed: bool
) -> None:
    body = await gql(DRAFT, {"input": draft_input(cob)}, login=login)
    assert (error_code(body) is None) is allowed, body
    if not allowed:
        assert error_code(body) == "FORBIDDEN"
