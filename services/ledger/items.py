"""Creating ledger items (台账条目): a problem, a task or a responsibility of an organisation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.principal import Principal
from services.core.validation import clean_text, optional_text
from services.events.changes import record_change
from services.ledger import rules
from services.ledger.access import assigning_organization, require_manager
from services.ledger.events import LedgerItemCreated
from services.ledger.models import SOURCED, LedgerItem, LedgerList, LedgerSource
from services.ledger.rows import COLUMNS, add_step, audit_view, fetch_one_or_none, item_from_record


@dataclass(frozen=True, slots=True)
class NewItem:
    list: LedgerList
    organization_id: uuid.UUID
    year: int
    title: str
    due_date: dt.date
    description: str | None = None
    responsible_organization_id: uuid.UUID | None = None
    responsible_person: str | None = None
    answers_problem_ids: Sequence[uuid.UUID] = ()
    source: LedgerSource = LedgerSource.OTHER
    holder_role: str | None = None
    import_key: str | None = None


_INSERT = f"""
INSERT INTO ledger_items AS i (tenant_id, list, organization_id, assigning_organization_id, year, title,
                               description, source, responsible_organization_id, responsible_person,
                               holder_role, due_date, import_key, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING {COLUMNS}
"""

# The problems among $1 that lie at or below organisation $2.
_PROBLEMS_IN_SUBTREE = """
WITH RECURSIVE below (id) AS (
    SELECT $2::uuid
    UNION
    SELECT o.id FROM organizations o JOIN below b ON o.parent_id = b.id
)
SELECT count(*) FROM ledger_items
WHERE id = ANY($1::uuid[]) AND list = 'PROBLEM' AND organization_id IN (SELECT id FROM below)
"""


def checked(data: NewItem) -> NewItem:
    """``data`` with its text cleaned; each failure names its input field."""
    rules.check_year(data.year)
    rules.check_due_date(data.due_date, year=data.year)
    if data.source in SOURCED:
        raise BadUserInput("council and co-building tasks come from their own domains", field="source")
    problems = rules.at_most(data.answers_problem_ids, rules.MAX_ANSWERS, field="answersProblemIds")
    if problems and data.list != LedgerList.TASK:
        raise BadUserInput("only a task answers problems", field="answersProblemIds")
    if data.holder_role is not None and data.list != LedgerList.RESPONSIBILITY:
        raise BadUserInput("only a responsibility names the post that holds it", field="holderRole")
    return NewItem(
        list=data.list,
        organization_id=data.organization_id,
        year=data.year,
        title=clean_text(data.title, field="title", max_length=200),
        due_date=data.due_date,
        description=optional_text(data.description, field="description", max_length=5000, multiline=True),
        responsible_organization_id=data.responsible_organization_id,
        responsible_person=optional_text(data.responsible_person, field="responsiblePerson", max_length=100),
        answers_problem_ids=list(dict.fromkeys(problems)),
        source=data.source,
        holder_role=optional_text(data.holder_role, field="holderRole", max_length=100),
        import_key=data.import_key,
    )


async def create_ledger_item(conn: asyncpg.Connection, *, actor: Principal, data: NewItem) -> LedgerItem:
    """Put an item on an organisation's ledger; its admin (or one above it) assigns it."""
    data = checked(data)
    archived = await conn.fetchval(
        "SELECT archived_at IS NOT NULL FROM organizations WHERE id = $1", data.organization_id
    )
    if archived is None:
        raise NotFound("no such organization", field="organizationId")
    if archived:
        raise BadUserInput("organizationId names an archived organization", field="organizationId")
    await require_manager(conn, actor, data.organization_id, doing="add to this ledger")
    assigner = await assigning_organization(conn, actor, data.organization_id)
    responsible = data.responsible_organization_id or data.organization_id
    if responsible != data.organization_id:
        exists = await conn.fetchval(
            "SELECT archived_at IS NULL FROM organizations WHERE id = $1", responsible
        )
        if not exists:
            raise BadUserInput(
                "responsibleOrganizationId names no active organization", field="responsibleOrganizationId"
            )
        await require_manager(conn, actor, responsible, doing="make that organisation responsible")
    if data.answers_problem_ids:
        found = await conn.fetchval(_PROBLEMS_IN_SUBTREE, list(data.answers_problem_ids), assigner)
        if found != len(data.answers_problem_ids):
            raise BadUserInput(
                "answersProblemIds must name problems of this organisation's subtree",
                field="answersProblemIds",
            )
    row = await fetch_one_or_none(
        conn,
        _INSERT,
        actor.tenant_id,
        data.list.value,
        data.organization_id,
        assigner,
        data.year,
        data.title,
        data.description or "",
        data.source.value,
        responsible,
        data.responsible_person,
        data.holder_role,
        data.due_date,
        data.import_key,
        actor.account_id,
    )
    assert row is not None
    item = item_from_record(row)
    if data.answers_problem_ids:
        await conn.execute(
            "INSERT INTO ledger_item_answers (tenant_id, task_id, problem_id)"
            " SELECT $1, $2, unnest($3::uuid[])",
            actor.tenant_id,
            item.id,
            list(data.answers_problem_ids),
        )
    await add_step(conn, actor=actor, item=item, action="CREATED", due_date=item.due_date)
    view = {**audit_view(item), "answersProblemIds": [str(p) for p in data.answers_problem_ids]}
    await record_change(conn, actor, LedgerItemCreated.of(item), after=view)
    return item
