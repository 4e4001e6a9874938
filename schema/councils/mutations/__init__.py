"""Council mutations, one module per aggregate. Each is one transaction with its audit rows and events."""

from __future__ import annotations

import strawberry

from schema.councils.mutations.agenda import AgendaMutation
from schema.councils.mutations.councils import CouncilMutation
from schema.councils.mutations.meetings import MeetingMutation
from schema.councils.mutations.resolutions import ResolutionMutation


@strawberry.type
class CouncilsMutation(CouncilMutation, MeetingMutation, AgendaMutation, ResolutionMutation):
    pass
