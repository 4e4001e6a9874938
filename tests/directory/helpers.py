"""Shared steps of the directory tests: people of another alliance, invited here."""

from __future__ import annotations

import uuid

from tests.conftest import GraphQLClient

GRANT = "mutation($i: GrantRoleInput!) { grantRole(input: $i) { grant { id tenant login role } } }"


async def person_of_other(gql: GraphQLClient, prefix: str) -> str:
    """A fresh login whose home is `other` (created there by other's alliance admin)."""
    login = f"{prefix}-{uuid.uuid4().hex[:6]}"
    body = await gql(
        GRANT, {"i": {"login": login, "role": "AUDITOR"}}, login="alliance-admin", tenant="other"
    )
    assert body.get("errors") is None, body
    return login
