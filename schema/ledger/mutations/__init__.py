"""Ledger mutations, one module per aggregate; each is one transaction with its history step,
audit row and event."""

from __future__ import annotations

import strawberry

from schema.ledger.mutations.items import LedgerItemMutation
from schema.ledger.mutations.letters import LetterMutation


@strawberry.type
class LedgerMutation(LedgerItemMutation, LetterMutation):
    pass
