"""The resources domain (资源共享): shared resources, activity menus and bookings."""

from __future__ import annotations

from services.domain import Domain
from services.resources.demo import seed_resources
from services.resources.events import EVENTS

DOMAIN = Domain(name="resources", events=EVENTS, demo=seed_resources, graphql="schema.resources.roots")
