"""The co-building domain (地企共建 "十联十共"): agreements, projects, contributions, evaluations."""

from __future__ import annotations

from services.cobuilding.demo import seed_cobuilding
from services.cobuilding.events import EVENTS
from services.cobuilding.handlers import SERVICE, complete_signed_off_milestone
from services.domain import Domain, HandlerSpec
from services.ledger.reads import LedgerItemSignedOff

DOMAIN = Domain(
    name="cobuilding",
    events=EVENTS,
    handlers=(
        HandlerSpec(service=SERVICE, event=LedgerItemSignedOff, handler=complete_signed_off_milestone),
    ),
    demo=seed_cobuilding,
    graphql="schema.cobuilding.roots",
)
