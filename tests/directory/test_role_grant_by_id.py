"""roleGrant(id): a person reads its own grants as viewer shows them, in any alliance; another
person's only where its role may read roles; another alliance's grants are not found."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.partners.helpers import new_key

FIELDS = "id tenant login role organizationId"
GRANT = f"query($id: ID!) {{ roleGrant(id: $id) {{ {FIELDS} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on RoleGrant {{ {FIELDS} }} }} }}"
VIEWER = f"{{ viewer {{ roles {{ {FIELDS} }} }} }}"
GRANT_ROLE = f"mutation($i: GrantRoleInput!) {{ grantRole(input: $i) {{ grant {{ {FIELDS} }} }} }}"
REVOKE_ROLE = "mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { grant { id } } }"

DEMO_LOGINS = ("alliance-admin", "street-admin", "soe-admin", "member", "auditor")
MAY_READ_ROLES = ("alliance-admin", "street-admin", "soe-admin", "auditor")  # role:read in policies/


async def _own(gql: GraphQLClient, **asked: object) -> list[dict[str, object]]:
    body = await gql(VIEWER, **asked)  # type: ignore[arg-type]
    roles: list[dict[str, object]] = body["data"]["viewer"]["roles"]  # type: ignore[index]
    assert roles, asked
    return roles


async def _reads(gql: GraphQLClient, grant: dict[str, object], **asked: object) -> bool:
    """Whether ``grant`` is answered (as viewer showed it) by roleGrant and by node; NOT_FOUND
    from both otherwise."""
    variables = {"id": grant["id"]}
    by_root = await gql(GRANT, variables, **asked)  # type: ignore[arg-type]
    by_node = await gql(NODE, variables, **asked)  # type: ignore[arg-type]
    if by_root == {"data": {"roleGrant": grant}}:
        assert by_node == {"data": {"node": {"__typename": "RoleGrant", **grant}}}, asked
        return True
    assert by_root["data"] is None and error_code(by_root) == "NOT_FOUND", (asked, by_root)
    assert by_node["data"] == {"node": None} and error_code(by_node) == "NOT_FOUND", (asked, by_node)
    return False


async def test_own_grants_as_viewer_shows_them_and_others_with_role_read(gql: GraphQLClient) -> None:
    demo_grants = {
        login: [g for g in await _own(gql, login=login) if g["tenant"] == "demo"] for login in DEMO_LOGINS
    }
    for holder, grants in demo_grants.items():
        for grant in grants:
            for reader in DEMO_LOGINS:
                readable = reader == holder or reader in MAY_READ_ROLES
                assert await _reads(gql, grant, login=reader) is readable, (reader, holder)
            # Not from another alliance, whatever its role there.
            assert not await _reads(gql, grant, login="alliance-admin", tenant="other")


async def test_own_grant_in_another_alliance(gql: GraphQLClient) -> None:
    """soe-admin holds a role in both alliances: signed in to demo it reads its grant in other
    (viewer lists it; node finds it, row-level security letting its own rows through), while
    demo's readers of roles do not."""
    [there] = [g for g in await _own(gql, login="soe-admin") if g["tenant"] == "other"]
    assert await _reads(gql, there, login="soe-admin")
    assert await _reads(gql, there, login="soe-admin", tenant="other")
    for reader in MAY_READ_ROLES:
        if reader != "soe-admin":
            assert not await _reads(gql, there, login=reader)


async def test_a_partner_key_reads_its_own_grant_only(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    _, plaintext = await new_key(admin_conn, "授权-合作方")
    asked = {"headers": {"x-api-key": plaintext}}
    [own] = await _own(gql, **asked)
    assert own["role"] == "PARTNER"
    assert await _reads(gql, own, **asked)
    [admin] = await _own(gql, login="alliance-admin")
    assert not await _reads(gql, admin, **asked)
    assert await _reads(gql, own, login="alliance-admin")


async def test_a_grant_as_granted_and_gone_once_revoked(gql: GraphQLClient) -> None:
    login = f"grantee-{uuid.uuid4().hex[:6]}"
    granted = await gql(GRANT_ROLE, {"i": {"login": login, "role": "AUDITOR"}}, login="alliance-admin")
    grant = granted["data"]["grantRole"]["grant"]  # type: ignore[index]
    assert await _reads(gql, grant, login="auditor")
    assert await _reads(gql, grant, login=login)
    revoked = await gql(REVOKE_ROLE, {"i": {"login": login, "role": "AUDITOR"}}, login="alliance-admin")
    assert error_code(revoked) is None
    assert not await _reads(gql, grant, login="alliance-admin")


async def test_an_unknown_a_malformed_id_and_no_caller(gql: GraphQLClient) -> None:
    [grant] = await _own(gql, login="member")
    assert error_code(await gql(GRANT, {"id": str(uuid.uuid4())}, login="alliance-admin")) == "NOT_FOUND"
    body = await gql(GRANT, {"id": "x1"}, login="alliance-admin")
    assert body["data"] is None and error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]
    assert error_code(await gql(GRANT, {"id": grant["id"]})) == "UNAUTHENTICATED"
