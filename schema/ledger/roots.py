"""The ledger domain's GraphQL root types, composed into the schema by the domain list."""

from __future__ import annotations

from schema.ledger.compiled import COMPILED
from schema.ledger.mutations import LedgerMutation as Mutation
from schema.ledger.queries import LedgerQuery as Query

__all__ = ["COMPILED", "Mutation", "Query"]
