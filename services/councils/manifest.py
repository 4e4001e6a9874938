"""The councils domain (党建联席会议): councils, meetings, agenda items, resolutions, follow-up."""

from __future__ import annotations

from services.councils.demo import seed_councils
from services.councils.events import EVENTS
from services.councils.reminders import run_reminders
from services.domain import Domain

DOMAIN = Domain(
    name="councils",
    events=EVENTS,
    demo=seed_councils,
    jobs={"council-reminders": run_reminders},
    graphql="schema.councils.roots",
    http="services.councils.http",
)
