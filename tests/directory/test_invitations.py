"""Roles across alliances: a grant never reaches another alliance's account; an invitation does,
once the invited person accepts it."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.directory.helpers import GRANT, person_of_other

REVOKE = "mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { grant { id } } }"
INVITE = """
mutation($i: InviteToRoleInput!) {
  inviteToRole(input: $i) { invitation { id tenant login homeTenant role organizationId status expiresAt } }
}
"""
ACCEPT = """
mutation($id: ID!) {
  acceptRoleInvitation(input: {id: $id}) { invitation { id status answeredAt } grant { tenant login role } }
}
"""
DECLINE = "mutation($id: ID!) { declineRoleInvitation(input: {id: $id}) { invitation { id status } } }"
VIEWER = "{ viewer { login tenant roles { tenant role } invitations { id tenant role status } } }"
AUDIT = "{ auditLog(first: 1) { totalCount } }"
ORGS = "{ organizations(first: 1) { totalCount } }"


def _ok(body: dict[str, object]) -> dict[str, object]:
    assert body.get("errors") is None, body
    return body["data"]  # type: ignore[return-value]


def _error(body: dict[str, object]) -> tuple[str | None, str, str | None]:
    errors = body.get("errors")
    assert errors, body
    first = errors[0]  # type: ignore[index]
    return first["extensions"]["code"], first["message"], first["extensions"].get("field")


async def _community(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> str:
    found = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND kind = 'COMMUNITY' ORDER BY id LIMIT 1",
        tenant_id,
    )
    return str(found)


async def test_a_grant_by_login_never_captures_another_alliances_account(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    squatter = await person_of_other(gql, "squat")
    granted = _ok(await gql(GRANT, {"i": {"login": squatter, "role": "AUDITOR"}}, login="alliance-admin"))
    assert granted["grantRole"]["grant"]["tenant"] == "demo"  # type: ignore[index]

    # demo's grant made demo an account of its own; other's account gained nothing in demo.
    homes = await admin_conn.fetch(
        "SELECT t.slug FROM accounts a JOIN alliances t ON t.id = a.home_tenant_id WHERE a.login = $1 ORDER BY 1",
        squatter,
    )
    assert [row["slug"] for row in homes] == ["demo", "other"]
    read = await gql(AUDIT, login=squatter, tenant="other", headers={"x-tenant": "demo"})
    assert error_code(read) == "UNAUTHENTICATED"
    assert _ok(await gql(AUDIT, login=squatter, tenant="other"))  # its own alliance still works


async def test_an_invited_person_holds_the_role_once_they_accept(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    guest = await person_of_other(gql, "guest")
    community = await _community(admin_conn, demo["demo"])
    invited = _ok(
        await gql(
            INVITE,
            {"i": {"login": guest, "homeTenant": "other", "role": "MEMBER", "organizationId": community}},
            login="alliance-admin",
        )
    )["inviteToRole"]["invitation"]  # type: ignore[index]
    assert invited["status"] == "PENDING" and invited["tenant"] == "demo" and invited["homeTenant"] == "other"

    # Nothing in demo until the person answers.
    assert (
        error_code(await gql(ORGS, login=guest, tenant="other", headers={"x-tenant": "demo"}))
        == "UNAUTHENTICATED"
    )
    viewer = _ok(await gql(VIEWER, login=guest, tenant="other"))["viewer"]
    assert viewer["invitations"] == [  # type: ignore[index]
        {"id": invited["id"], "tenant": "demo", "role": "MEMBER", "status": "PENDING"}
    ]

    accepted = _ok(await gql(ACCEPT, {"id": invited["id"]}, login=guest, tenant="other"))[
        "acceptRoleInvitation"
    ]  # type: ignore[index]
    assert accepted["invitation"]["status"] == "ACCEPTED"
    assert accepted["grant"] == {"tenant": "demo", "login": guest, "role": "MEMBER"}
    assert _ok(await gql(ORGS, login=guest, tenant="other", headers={"x-tenant": "demo"}))
    viewer = _ok(await gql(VIEWER, login=guest, tenant="other"))["viewer"]
    assert viewer["invitations"] == []  # type: ignore[index]
    assert {"tenant": "demo", "role": "MEMBER"} in viewer["roles"]  # type: ignore[index]

    # Each step left its trace and its event in the inviting alliance.
    actions = await admin_conn.fetch(
        "SELECT action, actor_login FROM audit_log WHERE tenant_id = $1 AND (entity_id = $2"
        " OR (action = 'role.granted' AND changes->'login'->>'after' = $3)) ORDER BY id",
        demo["demo"],
        invited["id"],
        guest,
    )
    assert [(r["action"], r["actor_login"]) for r in actions] == [
        ("role.invited", "alliance-admin"),
        ("role.invitation_accepted", guest),
        ("role.granted", guest),
    ]
    events = await admin_conn.fetch(
        "SELECT event_type FROM outbox WHERE tenant_id = $1 AND payload->'data'->>'login' = $2 ORDER BY seq",
        demo["demo"],
        guest,
    )
    assert [r["event_type"] for r in events] == [
        "role.invited.v1",
        "role.invitation_accepted.v1",
        "role.granted.v1",
    ]
    assert error_code(await gql(ACCEPT, {"id": invited["id"]}, login=guest, tenant="other")) == "CONFLICT"


async def test_only_the_invited_person_answers_an_invitation(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    guest = await person_of_other(gql, "asked")
    invited = _ok(
        await gql(
            INVITE, {"i": {"login": guest, "homeTenant": "other", "role": "AUDITOR"}}, login="alliance-admin"
        )
    )["inviteToRole"]["invitation"]  # type: ignore[index]
    for login, tenant in (("alliance-admin", "demo"), ("alliance-admin", "other"), ("soe-admin", "other")):
        for document in (ACCEPT, DECLINE):
            answer = await gql(document, {"id": invited["id"]}, login=login, tenant=tenant)
            assert _error(answer)[0] == "NOT_FOUND", (login, tenant, answer)
    assert (
        await admin_conn.fetchval(
            "SELECT status FROM role_invitations WHERE id = $1", uuid.UUID(invited["id"])
        )
        == "PENDING"
    )

    declined = _ok(await gql(DECLINE, {"id": invited["id"]}, login=guest, tenant="other"))
    assert declined["declineRoleInvitation"]["invitation"]["status"] == "DECLINED"  # type: ignore[index]
    assert (
        error_code(await gql(AUDIT, login=guest, tenant="other", headers={"x-tenant": "demo"}))
        == "UNAUTHENTICATED"
    )
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND entity_id = $2 AND action = 'role.invitation_declined'",
            demo["demo"],
            invited["id"],
        )
        == 1
    )
    assert error_code(await gql(ACCEPT, {"id": invited["id"]}, login=guest, tenant="other")) == "CONFLICT"


async def test_an_expired_invitation_cannot_be_accepted(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    guest = await person_of_other(gql, "late")
    invited = _ok(
        await gql(
            INVITE, {"i": {"login": guest, "homeTenant": "other", "role": "AUDITOR"}}, login="alliance-admin"
        )
    )["inviteToRole"]["invitation"]  # type: ignore[index]
    await admin_conn.execute(
        "UPDATE role_invitations SET created_at = now() - interval '20 days', expires_at = now() - interval '1 day'"
        " WHERE id = $1",
        uuid.UUID(invited["id"]),
    )
    assert _ok(await gql(VIEWER, login=guest, tenant="other"))["viewer"]["invitations"] == []  # type: ignore[index]
    assert error_code(await gql(ACCEPT, {"id": invited["id"]}, login=guest, tenant="other")) == "CONFLICT"


async def test_invitations_of_other_alliances_and_unknown_people_are_not_found(gql: GraphQLClient) -> None:
    guest = await person_of_other(gql, "seen")
    invited = _ok(
        await gql(
            INVITE, {"i": {"login": guest, "homeTenant": "other", "role": "AUDITOR"}}, login="alliance-admin"
        )
    )["inviteToRole"]["invitation"]  # type: ignore[index]
    # other's admin cannot see or answer demo's invitation; nobody can invite a login that is not there.
    assert (
        _error(await gql(ACCEPT, {"id": invited["id"]}, login="alliance-admin", tenant="other"))[0]
        == "NOT_FOUND"
    )
    unknown = await gql(
        INVITE,
        {"i": {"login": "nobody-" + uuid.uuid4().hex[:6], "homeTenant": "other", "role": "AUDITOR"}},
        login="alliance-admin",
    )
    assert _error(unknown)[0] == "NOT_FOUND" and _error(unknown)[2] == "login"
    own = await gql(
        INVITE, {"i": {"login": "member", "homeTenant": "demo", "role": "AUDITOR"}}, login="alliance-admin"
    )
    assert _error(own)[0] == "BAD_USER_INPUT" and _error(own)[2] == "homeTenant"
    members_cannot = await gql(
        INVITE, {"i": {"login": guest, "homeTenant": "other", "role": "AUDITOR"}}, login="member"
    )
    assert _error(members_cannot)[0] == "FORBIDDEN"


async def test_revoke_role_does_not_tell_unknown_logins_from_other_alliances(gql: GraphQLClient) -> None:
    elsewhere = await person_of_other(gql, "far")
    unknown = await gql(
        REVOKE, {"i": {"login": "nobody-" + uuid.uuid4().hex[:6], "role": "AUDITOR"}}, login="alliance-admin"
    )
    foreign = await gql(REVOKE, {"i": {"login": elsewhere, "role": "AUDITOR"}}, login="alliance-admin")
    not_held = await gql(REVOKE, {"i": {"login": "member", "role": "AUDITOR"}}, login="alliance-admin")
    assert _error(unknown) == _error(foreign) == _error(not_held)
    assert _error(unknown)[0] == "NOT_FOUND"


async def test_the_demo_soe_secretary_holds_roles_in_both_alliances(gql: GraphQLClient) -> None:
    for tenant in ("demo", "other"):
        viewer = _ok(await gql(VIEWER, login="soe-admin", tenant=tenant))["viewer"]
        assert {g["tenant"] for g in viewer["roles"]} == {"demo", "other"}  # type: ignore[index]
