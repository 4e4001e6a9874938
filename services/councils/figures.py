"""数据化考核 figures of joint councils (协商解决问题、事务共商), computed from the data.

Over a period [from, to): meetings held (by start); attendance per member unit (the held
meetings it was a member for, and those it attended); agenda items raised in the period and,
of those, accepted onto an agenda, resolved, and solved through consultation; resolutions
adopted in the period; and of those resolutions' tasks, the ones signed off by their due date
(on time) and the ones past due and not signed off (overdue).
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.core.errors import BadUserInput
from services.core.principal import Principal
from services.core.records import from_record
from services.councils.access import ReadScope, council_for
from services.councils.followup import is_solved, tasks_of
from services.councils.models import CONSTRAINTS, AttendanceRate, CouncilFigures, Resolution
from services.councils.resolutions import COLUMNS, LOCAL

MAX_PERIOD = dt.timedelta(days=366 * 5)

# The councils counted: one, or all the caller may see ($1 council id, $2 partner).
_COUNCILS = (
    "SELECT c.id FROM councils c WHERE ($1::uuid IS NULL OR c.id = $1) AND (NOT $2::boolean OR c.public)"
)

_MEETINGS_HELD = f"""
SELECT count(*) FROM council_meetings mt
WHERE mt.council_id IN ({_COUNCILS}) AND mt.status IN ('HELD', 'MINUTES_PUBLISHED')
  AND mt.starts_at >= $3 AND mt.starts_at < $4
"""

_ATTENDANCE = f"""
SELECT cm.organization_id, count(DISTINCT mt.id) AS meetings,
       count(DISTINCT mt.id) FILTER (WHERE a.status = 'PRESENT') AS present
FROM council_meetings mt
JOIN council_members cm ON cm.council_id = mt.council_id
     AND cm.joined_on <= (mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date
     AND (cm.left_on IS NULL OR cm.left_on >= (mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date)
LEFT JOIN council_attendance a ON a.meeting_id = mt.id AND a.organization_id = cm.organization_id
WHERE mt.council_id IN ({_COUNCILS}) AND mt.status IN ('HELD', 'MINUTES_PUBLISHED')
  AND mt.starts_at >= $3 AND mt.starts_at < $4
GROUP BY cm.organization_id
ORDER BY cm.organization_id
"""

_ITEMS = f"""
SELECT count(*) AS raised,
       count(*) FILTER (WHERE i.status IN ('ACCEPTED', 'RESOLVED', 'CLOSED')) AS accepted,
       count(*) FILTER (WHERE i.status = 'RESOLVED') AS resolved
FROM council_agenda_items i
WHERE i.council_id IN ({_COUNCILS}) AND i.created_at >= $3 AND i.created_at < $4
"""

_RESOLUTIONS_OF_ITEMS = f"""
SELECT {COLUMNS} FROM council_resolutions r JOIN council_agenda_items i ON i.id = r.agenda_item_id
WHERE i.council_id IN ({_COUNCILS}) AND i.created_at >= $3 AND i.created_at < $4
"""

_RESOLUTIONS_ADOPTED = f"""
SELECT {COLUMNS} FROM council_resolutions r JOIN council_meetings mt ON mt.id = r.meeting_id
WHERE mt.council_id IN ({_COUNCILS}) AND r.adopted_at >= $3 AND r.adopted_at < $4
"""


async def council_figures(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    period_from: dt.datetime,
    period_to: dt.datetime,
    council_id: uuid.UUID | None = None,
) -> CouncilFigures:
    """The figures of one council (or of all the caller may see) over [from, to)."""
    if period_to <= period_from:
        raise BadUserInput("to must be after from", field="to")
    if period_to - period_from > MAX_PERIOD:
        raise BadUserInput("a period is at most five years", field="to")
    if council_id is not None:
        await council_for(conn, actor=actor, council_id=council_id)
    args = (council_id, ReadScope.of(actor).partner, period_from, period_to)
    held = await conn.fetchval(_MEETINGS_HELD, *args)
    attendance = [
        AttendanceRate(
            organization_id=row["organization_id"], meetings=row["meetings"], present=row["present"]
        )
        for row in await conn.fetch(_ATTENDANCE, *args)
    ]
    items = await CONSTRAINTS.fetchrow(conn, _ITEMS, *args)
    of_items = [from_record(Resolution, row) for row in await conn.fetch(_RESOLUTIONS_OF_ITEMS, *args)]
    adopted = [from_record(Resolution, row) for row in await conn.fetch(_RESOLUTIONS_ADOPTED, *args)]
    states = await tasks_of(conn, resolution_ids=sorted({r.id for r in of_items} | {r.id for r in adopted}))
    tasks = [task for resolution in adopted for task in states[resolution.id]]
    on_time = sum(
        1
        for task in tasks
        if task.status == "SIGNED_OFF"
        and task.signed_off_at is not None
        and task.signed_off_at.astimezone(LOCAL).date() <= task.due_date
    )
    return CouncilFigures(
        council_id=council_id,
        period_from=period_from,
        period_to=period_to,
        meetings_held=int(held),
        attendance=attendance,
        items_raised=int(items["raised"]),
        items_accepted=int(items["accepted"]),
        items_resolved=int(items["resolved"]),
        items_solved=sum(1 for r in of_items if is_solved(r, states[r.id])),
        resolutions=len(adopted),
        tasks_on_time=on_time,
        tasks_overdue=sum(1 for task in tasks if task.overdue),
    )
