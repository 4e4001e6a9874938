"""The ledger domain (三单制 工作台账): problem, task and responsibility items, responsibility letters."""

from __future__ import annotations

from services.domain import Domain
from services.ledger.deadlines import run_deadlines
from services.ledger.demo import seed_ledger
from services.ledger.events import EVENTS

DOMAIN = Domain(
    name="ledger",
    events=EVENTS,
    demo=seed_ledger,
    jobs={"ledger-deadlines": run_deadlines},
    graphql="schema.ledger.roots",
    http="services.ledger.http",
    cli="services.ledger.cli",
)
