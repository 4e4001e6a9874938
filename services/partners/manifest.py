"""The partner-access domain (合作系统接入): persisted operations, limits per key, webhooks."""

from __future__ import annotations

from services.domain import Domain, HandlerSpec
from services.events.types import DomainEvent
from services.partners.events import EVENTS
from services.partners.webhook_handler import SERVICE as WEBHOOKS
from services.partners.webhook_handler import record_deliveries
from services.partners.webhook_sender import JOB as WEBHOOK_SENDER
from services.partners.webhook_sender import run_webhook_sender

DOMAIN = Domain(
    name="partners",
    events=EVENTS,
    handlers=(HandlerSpec(service=WEBHOOKS, event=DomainEvent, handler=record_deliveries),),
    jobs={WEBHOOK_SENDER: run_webhook_sender},
    graphql="schema.partners.roots",
)
