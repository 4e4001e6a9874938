"""An agreement's summary in viewer's across-alliances view carries the agreement's own global
id: node(id) answers it as that CobuildingAgreement, in the agreement's alliance only."""

from __future__ import annotations

from tests.conftest import GraphQLClient, error_code

ACROSS = "{ viewer { cobuildingAcrossTenants { tenant agreement { id title status } } } }"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on CobuildingAgreement { title status } } }"


async def test_a_summarys_id_is_its_agreements_node(gql: GraphQLClient, cob: dict[str, str]) -> None:
    # The SOE's admin holds a role in both alliances, each with an agreement of its SOE.
    body = await gql(ACROSS, login="soe-admin")
    entries = body["data"]["viewer"]["cobuildingAcrossTenants"]  # type: ignore[index]
    assert {entry["tenant"] for entry in entries} == {"demo", "other"}
    for entry in entries:
        summary = entry["agreement"]
        node = await gql(NODE, {"id": summary["id"]}, login="soe-admin", tenant=entry["tenant"])
        assert node == {
            "data": {
                "node": {
                    "__typename": "CobuildingAgreement",
                    "id": summary["id"],
                    "title": summary["title"],
                    "status": summary["status"],
                }
            }
        }
        # The same id in the other alliance names nothing there.
        elsewhere = "other" if entry["tenant"] == "demo" else "demo"
        missing = await gql(NODE, {"id": summary["id"]}, login="soe-admin", tenant=elsewhere)
        assert missing["data"] == {"node": None} and error_code(missing) == "NOT_FOUND"
