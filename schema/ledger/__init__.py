"""GraphQL of the three-lists ledger (三单制 工作台账)."""
