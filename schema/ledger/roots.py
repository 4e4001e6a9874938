"""The ledger domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.ledger.compiled import COMPILED
from schema.ledger.mutations import LedgerMutation as Mutation
from schema.ledger.queries import LedgerQuery as Query
from schema.ledger.types import LedgerItem, ResponsibilityLetter
from schema.nodes import NodeType

# The node types this domain answers by node(id) (全局对象标识), each through its own root field.
NODES = (
    NodeType(LedgerItem, table="ledger_items", root="ledger_item"),
    NodeType(ResponsibilityLetter, table="responsibility_letters", root="responsibility_letter"),
)

__all__ = ["COMPILED", "NODES", "Mutation", "Query"]
