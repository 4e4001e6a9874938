"""The partner-access domain (合作系统接入): persisted operations and limits per key."""

from __future__ import annotations

from services.domain import Domain
from services.partners.events import EVENTS

DOMAIN = Domain(name="partners", events=EVENTS, graphql="schema.partners.roots")
