"""The directory domain (成员单位、角色、合作系统): organisations, role grants, partner keys."""

from __future__ import annotations

from services.directory.demo import seed_directory
from services.directory.events import EVENTS
from services.domain import Domain

DOMAIN = Domain(name="directory", events=EVENTS, demo=seed_directory, graphql="schema.directory.roots")
