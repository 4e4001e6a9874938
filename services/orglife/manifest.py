"""The organisational-life domain (组织生活): members, transfers, 三会一课, compliance."""

from __future__ import annotations

from services.domain import Domain, HandlerSpec
from services.orglife.birthdays import run_birthdays
from services.orglife.compliance import run_compliance
from services.orglife.demo import seed_orglife
from services.orglife.events import (
    EVENTS,
    TransferAccepted,
    TransferApprovedOut,
    TransferCancelled,
    TransferRejected,
)
from services.orglife.handover import SERVICE, on_approved_out, on_receiver_decided, on_sender_cancelled

DOMAIN = Domain(
    name="orglife",
    events=EVENTS,
    handlers=(
        HandlerSpec(service=SERVICE, event=TransferApprovedOut, handler=on_approved_out),
        HandlerSpec(service=SERVICE, event=TransferAccepted, handler=on_receiver_decided),
        HandlerSpec(service=SERVICE, event=TransferRejected, handler=on_receiver_decided),
        HandlerSpec(service=SERVICE, event=TransferCancelled, handler=on_sender_cancelled),
    ),
    demo=seed_orglife,
    jobs={"orglife-compliance": run_compliance, "orglife-birthdays": run_birthdays},
    graphql="schema.orglife.roots",
)
