"""How reads of joint councils compile to SQL (``schema.compiled``): declared once per type,
next to the types, with the services' own SQL for the roots and their visibility predicates.

Partners see public councils only, and of those no cancelled meeting: the services' SQL
(``council_visible``, ``meeting_visible``) with their read scope as the parameter. Agenda
items, comments, attendance and follow-up need ``council``/``read_details`` (the fields' own
permissions, which the compiler reads from the fields); a caller holding the partner role
beside a role that reads details sees the items of the councils and meetings it sees only
(``agenda_item_visible``, in the agenda list's own statements; nested items are reached
through a meeting it sees).

Not mapped, so answered by the interpreter: ``Resolution.tasks`` and ``Council.openTasks`` /
``Meeting.followUp`` (ledger tasks, read through the ledger's Python interface, follow-up
filtered in Python) and ``AgendaItem.solved`` (computed from those tasks in Python).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schema.compiled.mapping import (
    Args,
    ConnectionRoot,
    Kind,
    Many,
    ObjectRoot,
    One,
    Root,
    Scalar,
    TypeMap,
    row_by_id,
)
from schema.councils.queries import AGENDA_ITEMS, COUNCILS
from schema.pagination import parse_id
from services.core.principal import Principal
from services.councils import agenda, councils, meetings
from services.councils.access import ReadScope, council_visible, meeting_visible, resolutions_visible
from services.councils.models import AgendaItemStatus, CouncilKind


def _optional_id(given: dict[str, Any], name: str) -> Any:
    value = given.get(name)
    return parse_id(value, name) if value else None


def _council_filter(args: Args, principal: Principal) -> Sequence[Any]:
    given: dict[str, Any] = args.get("filter") or {}
    kind = given.get("kind")
    return councils.filter_params(
        actor=principal,
        filter=councils.CouncilFilter(
            kind=CouncilKind(kind).value if kind is not None else None,
            host_organization_id=_optional_id(given, "hostOrganizationId"),
            member_organization_id=_optional_id(given, "memberOrganizationId"),
            search=given.get("search"),
        ),
    )


def _agenda_filter(args: Args, principal: Principal) -> Sequence[Any]:
    given: dict[str, Any] = args.get("filter") or {}
    status = given.get("status")
    return agenda.filter_params(
        actor=principal,
        filter=agenda.AgendaItemFilter(
            council_id=_optional_id(given, "councilId"),
            status=AgendaItemStatus(status).value if status is not None else None,
            raised_by_organization_id=_optional_id(given, "raisedByOrganizationId"),
        ),
    )


def _scope_and_id(args: Args, principal: Principal) -> Sequence[Any]:
    return [ReadScope.of(principal).partner, [parse_id(args["id"])]]


def _scope(args: Args, principal: Principal) -> Sequence[Any]:
    return [ReadScope.of(principal).partner]


def _current(args: Args, principal: Principal) -> Sequence[Any]:
    return [bool(args.get("current", False))]


def _organization(column: str) -> One:
    return row_by_id("Organization", "organizations", column)


COUNCIL = TypeMap(
    "Council",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "name": Scalar("{t}.name", Kind.STRING),
        "kind": Scalar("{t}.kind", Kind.ENUM),
        "public": Scalar("{t}.public", Kind.BOOLEAN),
        "hostOrganizationId": Scalar("{t}.host_org_id", Kind.ID),
        "createdAt": Scalar("{t}.created_at", Kind.DATETIME),
        "hostOrganization": _organization("host_org_id"),
        # As councils.members_of, and Council.members' ``current``: by joining day.
        "members": Many(
            "CouncilMember",
            "FROM council_members {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.council_id = {t}.id"
            " AND (NOT $1::boolean OR {o}.left_on IS NULL) ORDER BY {o}.joined_on, {o}.id",
            _current,
        ),
        # As meetings.meetings_of: by start, none cancelled for partners.
        "meetings": Many(
            "Meeting",
            "FROM council_meetings {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.council_id = {t}.id"
            f" AND {meeting_visible('{o}', '$1')} ORDER BY {{o}}.starts_at, {{o}}.id",
            _scope,
        ),
    },
)

COUNCIL_MEMBER = TypeMap(
    "CouncilMember",
    {
        "organizationId": Scalar("{t}.organization_id", Kind.ID),
        "joinedOn": Scalar("{t}.joined_on", Kind.DATE),
        "leftOn": Scalar("{t}.left_on", Kind.DATE),
        "organization": _organization("organization_id"),
    },
)

MEETING = TypeMap(
    "Meeting",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "councilId": Scalar("{t}.council_id", Kind.ID),
        "title": Scalar("{t}.title", Kind.STRING),
        "start": Scalar("{t}.starts_at", Kind.DATETIME),
        "end": Scalar("{t}.ends_at", Kind.DATETIME),
        "status": Scalar("{t}.status", Kind.ENUM),
        "place": Scalar("{t}.place", Kind.STRING),
        "venueResourceId": Scalar("{t}.venue_resource_id", Kind.ID),
        "venueBookingId": Scalar("{t}.venue_booking_id", Kind.ID),
        "conveningOrganizationId": Scalar("{t}.convening_org_id", Kind.ID),
        "reminderMinutes": Scalar("{t}.reminder_minutes", Kind.INT_LIST),
        "minutesPublishedAt": Scalar("{t}.minutes_published_at", Kind.DATETIME),
        # As Meeting.minutes: shown once published.
        "minutes": Scalar("CASE WHEN {t}.status = 'MINUTES_PUBLISHED' THEN {t}.minutes END", Kind.STRING),
        "convener": _organization("convening_org_id"),
        # As the council loader: the council as far as the caller may see it.
        "council": One(
            "Council",
            "FROM councils {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.id = {t}.council_id"
            f" AND {council_visible('{o}', '$1')}",
            _scope,
        ),
        # As agenda.items_of_meetings.
        "agenda": Many(
            "AgendaItem",
            "FROM council_agenda_items {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.meeting_id = {t}.id"
            " ORDER BY {o}.id",
        ),
        # As attendance.attendance_of.
        "attendance": Many(
            "Attendance",
            "FROM council_attendance {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.meeting_id = {t}.id"
            " ORDER BY {o}.organization_id",
        ),
        # As resolutions.resolutions_of, and Meeting.resolutions: before the minutes are out,
        # only to those who read a council's details.
        "resolutions": Many(
            "Resolution",
            "FROM council_resolutions {o} WHERE {o}.tenant_id = {t}.tenant_id AND {o}.meeting_id = {t}.id"
            f" AND {resolutions_visible('{t}', '{may:council:read_details}')} ORDER BY {{o}}.id",
        ),
    },
)

AGENDA_ITEM = TypeMap(
    "AgendaItem",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "councilId": Scalar("{t}.council_id", Kind.ID),
        "title": Scalar("{t}.title", Kind.STRING),
        "description": Scalar("{t}.description", Kind.STRING),
        "category": Scalar("{t}.category", Kind.STRING),
        "status": Scalar("{t}.status", Kind.ENUM),
        "reason": Scalar("{t}.reason", Kind.STRING),
        "meetingId": Scalar("{t}.meeting_id", Kind.ID),
        "raisedByOrganizationId": Scalar("{t}.raised_by_org_id", Kind.ID),
        "createdAt": Scalar("{t}.created_at", Kind.DATETIME),
        "raisedBy": _organization("raised_by_org_id"),
        # As agenda.comments_of.
        "comments": Many(
            "Comment",
            "FROM council_agenda_comments {o} WHERE {o}.tenant_id = {t}.tenant_id"
            " AND {o}.agenda_item_id = {t}.id ORDER BY {o}.id",
        ),
        # As AgendaItem.resolution: the resolution of its meeting that resolved it.
        "resolution": One(
            "Resolution",
            "FROM council_resolutions {o} WHERE {o}.tenant_id = {t}.tenant_id"
            " AND {o}.meeting_id = {t}.meeting_id AND {o}.agenda_item_id = {t}.id",
        ),
    },
)

COMMENT = TypeMap(
    "Comment",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "body": Scalar("{t}.body", Kind.STRING),
        "organizationId": Scalar("{t}.organization_id", Kind.ID),
        "authorLogin": Scalar("{t}.author_login", Kind.STRING),
        "createdAt": Scalar("{t}.created_at", Kind.DATETIME),
        "organization": _organization("organization_id"),
    },
)

ATTENDANCE = TypeMap(
    "Attendance",
    {
        "organizationId": Scalar("{t}.organization_id", Kind.ID),
        "status": Scalar("{t}.status", Kind.ENUM),
        "delegate": Scalar("{t}.delegate", Kind.STRING),
        "recordedAt": Scalar("{t}.recorded_at", Kind.DATETIME),
        "organization": _organization("organization_id"),
    },
)

RESOLUTION = TypeMap(
    "Resolution",
    {
        "id": Scalar("{t}.id", Kind.ID),
        "text": Scalar("{t}.text", Kind.STRING),
        "meetingId": Scalar("{t}.meeting_id", Kind.ID),
        "agendaItemId": Scalar("{t}.agenda_item_id", Kind.ID),
        "adoptedAt": Scalar("{t}.adopted_at", Kind.DATETIME),
        # As Resolution.agendaItem: the item among its meeting's agenda.
        "agendaItem": One(
            "AgendaItem",
            "FROM council_agenda_items {o} WHERE {o}.tenant_id = {t}.tenant_id"
            " AND {o}.meeting_id = {t}.meeting_id AND {o}.id = {t}.agenda_item_id",
        ),
    },
)

ROOTS: list[Root] = [
    ConnectionRoot(
        field="councils",
        type="Council",
        keyset=COUNCILS,
        rows=councils.PAGE_SQL,
        count=councils.COUNT_SQL,
        key="{t}.id",
        bind=_council_filter,
    ),
    ObjectRoot(field="council", type="Council", rows=councils.BY_ID_SQL, bind=_scope_and_id),
    ObjectRoot(field="meeting", type="Meeting", rows=meetings.BY_ID_SQL, bind=_scope_and_id),
    ConnectionRoot(
        field="agendaItems",
        type="AgendaItem",
        keyset=AGENDA_ITEMS,
        rows=agenda.PAGE_SQL,
        count=agenda.COUNT_SQL,
        key="{t}.id",
        bind=_agenda_filter,
    ),
]

COMPILED: list[TypeMap | Root] = [
    COUNCIL,
    COUNCIL_MEMBER,
    MEETING,
    AGENDA_ITEM,
    COMMENT,
    ATTENDANCE,
    RESOLUTION,
    *ROOTS,
]
