"""Mutations of resolutions (决议): adopt, with tasks that land in the three-lists ledger."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.councils.inputs import AdoptResolutionInput
from schema.councils.types import Resolution
from schema.pagination import parse_id
from schema.permissions import requires
from services.core.errors import BadUserInput
from services.councils import resolutions
from services.councils.models import MAX_TASKS


@strawberry.type
class ResolutionPayload:
    resolution: Resolution


@strawberry.type
class ResolutionMutation:
    @strawberry.mutation(
        description=(
            "Adopt a resolution for an item on the meeting's agenda (通过决议); "
            "its tasks become ledger tasks "
            "(任务清单). A second resolution for one item answers CONFLICT."
        ),
        extensions=requires("meeting", "run"),
    )
    async def adopt_resolution(self, info: Info, input: AdoptResolutionInput) -> ResolutionPayload:
        if len(input.tasks) > MAX_TASKS:
            raise BadUserInput(f"a resolution has at most {MAX_TASKS} tasks", field="tasks")
        tasks = [
            resolutions.TaskInput(
                title=t.title,
                lead_organization_id=parse_id(t.lead_organization_id, "leadOrganizationId"),
                due_date=t.due_date,
                supporting_organization_ids=[
                    parse_id(s, "supportingOrganizationIds") for s in (t.supporting_organization_ids or [])
                ],
            )
            for t in input.tasks
        ]
        async with info.context.db() as conn:
            resolution, _ = await resolutions.adopt_resolution(
                conn,
                actor=info.context.principal,
                meeting_id=parse_id(input.meeting_id, "meetingId"),
                agenda_item_id=parse_id(input.agenda_item_id, "agendaItemId"),
                text=input.text,
                tasks=tasks,
            )
        return ResolutionPayload(resolution=Resolution.from_model(resolution))
