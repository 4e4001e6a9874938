"""The activity domain (联盟动态): a feed of every event type, kept by the ``activity`` service."""

from __future__ import annotations

from services.activity.handlers import SERVICE, record_activity
from services.domain import Domain, HandlerSpec
from services.events.types import DomainEvent

DOMAIN = Domain(
    name="activity",
    handlers=(HandlerSpec(service=SERVICE, event=DomainEvent, handler=record_activity),),
    graphql="schema.events",
)
