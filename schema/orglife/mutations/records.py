"""Mutations of session records (三会一课) and the required frequencies."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.orglife.inputs import RecordOrganisationalLifeInput, SetOrganisationalLifeRequirementInput
from schema.orglife.types import OrganisationalLifeRecord, OrganisationalLifeRequirement
from schema.pagination import parse_id
from schema.permissions import requires
from services.orglife import compliance, records
from services.orglife.models import Absence

MAX_PEOPLE = records.MAX_PEOPLE


@strawberry.type
class OrganisationalLifePayload:
    record: OrganisationalLifeRecord


@strawberry.type
class OrganisationalLifeRequirementPayload:
    requirement: OrganisationalLifeRequirement


@strawberry.type
class RecordMutation:
    @strawberry.mutation(
        description="Record a session with its attendance (记录组织生活).",
        extensions=requires("organisational_life", "write"),
    )
    async def record_organisational_life(
        self, info: Info, input: RecordOrganisationalLifeInput
    ) -> OrganisationalLifePayload:
        attendees = [parse_id(i, "attendeeMemberIds") for i in input.attendee_member_ids[: MAX_PEOPLE + 1]]
        absentees = [
            Absence(parse_id(a.member_id, "absentees"), a.reason)
            for a in (input.absentees or [])[: MAX_PEOPLE + 1]
        ]
        data = records.RecordData(
            organization_id=parse_id(input.organization_id, "organizationId"),
            kind=input.kind.value,
            held_on=input.held_on,
            topic=input.topic,
            place=input.place,
            resource_id=parse_id(input.resource_id, "resourceId") if input.resource_id else None,
            attendee_member_ids=attendees,
            absentees=absentees,
            minutes=input.minutes,
        )
        async with info.context.db() as conn:
            found = await records.record_session(conn, actor=info.context.principal, data=data)
        return OrganisationalLifePayload(record=OrganisationalLifeRecord.from_model(found))

    @strawberry.mutation(
        description="Set how often a kind of session is due in this alliance (设置组织生活频次).",
        extensions=requires("organisational_life", "configure"),
    )
    async def set_organisational_life_requirement(
        self, info: Info, input: SetOrganisationalLifeRequirementInput
    ) -> OrganisationalLifeRequirementPayload:
        async with info.context.db() as conn:
            found = await compliance.set_requirement(
                conn,
                actor=info.context.principal,
                kind=input.kind.value,
                period=input.period.value,
                times=input.times,
            )
        return OrganisationalLifeRequirementPayload(
            requirement=OrganisationalLifeRequirement(kind=found.kind, period=found.period, times=found.times)  # type: ignore[arg-type]
        )
