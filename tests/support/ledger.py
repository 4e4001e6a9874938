"""A ledger task closed through HTTP the way the ledger's users close it (销号): the responsible
organisation's admin submits it, an admin of the assigning organisation (or above) signs it off.
Domains whose work becomes ledger tasks (councils, co-building) prove their end-to-end stories
with it instead of writing ledger rows."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

SUBMIT = """
mutation($input: SubmitForSignOffInput!) { submitForSignOff(input: $input) { ledgerItem { id status } } }
"""
SIGN_OFF = """
mutation($input: SignOffInput!) { signOff(input: $input) { ledgerItem { id status signedOffAt } } }
"""


async def sign_off_task(
    gql: GraphQLClient, item_id: str, *, submitter: str, signer: str, evidence: str = "已完成"
) -> dict[str, Any]:
    """Submit ``item_id`` as ``submitter``, sign it off as ``signer``; the signed-off item."""
    submitted = await gql(SUBMIT, {"input": {"id": item_id, "evidence": evidence}}, login=submitter)
    assert submitted.get("errors") is None, submitted
    assert submitted["data"]["submitForSignOff"]["ledgerItem"]["status"] == "SUBMITTED"  # type: ignore[index]
    signed = await gql(SIGN_OFF, {"input": {"id": item_id, "comment": "同意销号"}}, login=signer)
    assert signed.get("errors") is None, signed
    item: dict[str, Any] = signed["data"]["signOff"]["ledgerItem"]  # type: ignore[index]
    assert item["status"] == "SIGNED_OFF" and item["signedOffAt"] is not None, item
    return item
