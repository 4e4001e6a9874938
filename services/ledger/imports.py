"""Importing a ledger workbook (台账导入) into one tenant, all or nothing.

Every row is checked before anything is written: its organisations (by unified social credit
code, else by a name that only one organisation bears), the assigning organisation at or
above the item's, the problems a task answers (in the file or already on the ledger, within
the assigner's subtree) and the item's own rules (``items.checked``, as for
``createLedgerItem``). One bad cell and nothing is written.

Each row carries a stable key (导入键, kept as ``import_key``). A row whose key an item of the
tenant already has (its import key, or its id: an exported item without one is keyed by its
id) is left as it is, so importing the same file twice, or a file exported from this tenant,
creates nothing the second time. New items are written in batches, and each gets its history
step, its audit row and its ``ledger_item.created`` event through ``record_change``, in the
caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg

from services.core.errors import BadUserInput
from services.core.validation import clean_text
from services.events.changes import Actor, record_change
from services.ledger.events import LedgerItemCreated
from services.ledger.import_file import ImportRow, OrganizationRef, RowError, RowErrors
from services.ledger.items import NewItem, checked
from services.ledger.models import CONSTRAINTS, LedgerItem, LedgerList
from services.ledger.rows import COLUMNS, audit_view, item_from_record
from services.ledger.workbook import (
    ANSWERS,
    ASSIGNER,
    DESCRIPTION,
    DUE_DATE,
    HOLDER_ROLE,
    KEY,
    ORGANIZATION,
    PERSON,
    RESPONSIBLE,
    SOURCE,
    TITLE,
    YEAR,
)

BATCH = 1000
IMPORT_NOTE = "导入 (imported from a workbook)"
Progress = Callable[[int], None]

# What ``items.checked`` names, as the sheet's headings.
_HEADINGS = {
    "key": KEY.heading,
    "title": TITLE.heading,
    "year": YEAR.heading,
    "dueDate": DUE_DATE.heading,
    "description": DESCRIPTION.heading,
    "responsiblePerson": PERSON.heading,
    "holderRole": HOLDER_ROLE.heading,
    "source": SOURCE.heading,
    "answersProblemIds": ANSWERS.heading,
}

_INSERT = f"""
INSERT INTO ledger_items AS i (tenant_id, list, organization_id, assigning_organization_id, year, title,
                               description, source, responsible_organization_id, responsible_person,
                               holder_role, due_date, import_key, created_by)
SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::integer[], $6::text[], $7::text[],
                         $8::text[], $9::uuid[], $10::text[], $11::text[], $12::date[], $13::text[])
       CROSS JOIN (SELECT $14::uuid) AS creator
RETURNING {COLUMNS}
"""
_STEPS = """
INSERT INTO ledger_item_steps (tenant_id, item_id, action, status, note, due_date, actor_id, actor_login)
SELECT $1, item_id, 'IMPORTED', 'OPEN', $4, due_date, $5, $6
FROM unnest($2::uuid[], $3::date[]) AS s (item_id, due_date)
"""
_ANSWERS = """
INSERT INTO ledger_item_answers (tenant_id, task_id, problem_id)
SELECT $1, * FROM unnest($2::uuid[], $3::uuid[])
"""


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int
    unchanged: int  # rows whose key an item already had
    dry_run: bool


@dataclass(frozen=True, slots=True)
class _Organization:
    id: uuid.UUID
    name: str
    code: str | None
    parent_id: uuid.UUID | None
    archived: bool


class _Organizations:
    """The tenant's organisations, looked up as a sheet names them."""

    def __init__(self, rows: Sequence[asyncpg.Record]) -> None:
        self.by_id = {
            r["id"]: _Organization(r["id"], r["name"], r["credit_code"], r["parent_id"], r["archived"])
            for r in rows
        }
        self.by_code = {o.code: o for o in self.by_id.values() if o.code}
        self.by_name: dict[str, list[_Organization]] = {}
        for org in self.by_id.values():
            self.by_name.setdefault(org.name, []).append(org)

    def find(self, ref: OrganizationRef) -> _Organization:
        if ref.code:
            found = self.by_code.get(ref.code)
            if found is None:
                raise ValueError(f"no organisation with credit code {ref.code} in this alliance")
        else:
            named = self.by_name.get(ref.name or "", [])
            if len(named) != 1:
                reason = "no organisation named" if not named else "several organisations are named"
                raise ValueError(f"{reason} {ref.name!r}; give its credit code")
            found = named[0]
        if found.archived:
            raise ValueError(f"{found.name} is archived")
        return found

    def up(self, org_id: uuid.UUID) -> list[uuid.UUID]:
        """The organisation and those above it, nearest first."""
        chain = []
        current: uuid.UUID | None = org_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.by_id[current].parent_id
        return chain


async def _existing(conn: asyncpg.Connection, keys: list[str]) -> dict[str, asyncpg.Record]:
    """Items of the tenant with one of these keys (an import key, or an exported item's id)."""
    ids = []
    for key in keys:
        try:
            ids.append(uuid.UUID(key))
        except ValueError:
            continue
    rows = await conn.fetch(
        "SELECT coalesce(import_key, id::text) AS key, id, list, organization_id FROM ledger_items"
        " WHERE import_key = ANY($1::text[]) OR id = ANY($2::uuid[])",
        keys,
        ids,
    )
    found = {row["key"]: row for row in rows}
    for row in rows:
        found.setdefault(str(row["id"]), row)
    return found


@dataclass(slots=True)
class _Planned:
    row: ImportRow
    data: NewItem
    assigner: uuid.UUID


def _resolve(row: ImportRow, orgs: _Organizations) -> tuple[_Planned | None, list[RowError]]:
    errors = []

    def find(ref: OrganizationRef | None, heading: str) -> _Organization | None:
        if ref is None:
            return None
        try:
            return orgs.find(ref)
        except ValueError as exc:
            errors.append(RowError(row.sheet, row.row, heading, str(exc)))
            return None

    organization = find(row.organization, ORGANIZATION.heading)
    responsible = find(row.responsible, RESPONSIBLE.heading)
    assigner = find(row.assigner, ASSIGNER.heading)
    if organization is None:
        return None, errors
    above = orgs.up(organization.id)
    if assigner is not None and assigner.id not in above:
        errors.append(
            RowError(
                row.sheet,
                row.row,
                ASSIGNER.heading,
                f"{assigner.name} is not at or above {organization.name}",
            )
        )
    try:
        key = clean_text(row.key, field="key", max_length=100)
        data = checked(
            NewItem(
                list=row.list,
                organization_id=organization.id,
                year=row.year,
                title=row.title,
                due_date=row.due_date,
                description=row.description,
                responsible_organization_id=responsible.id if responsible else None,
                responsible_person=row.responsible_person,
                source=row.source,
                holder_role=row.holder_role,
                import_key=key,
            )
        )
    except BadUserInput as exc:
        errors.append(
            RowError(row.sheet, row.row, _HEADINGS.get(exc.field or "", exc.field or ""), exc.message)
        )
        return None, errors
    if errors:
        return None, errors
    return _Planned(row=row, data=data, assigner=assigner.id if assigner else above[-1]), []


def _below(orgs: _Organizations, top: uuid.UUID, org_id: uuid.UUID) -> bool:
    return top in orgs.up(org_id)


async def _plan(
    conn: asyncpg.Connection, rows: Sequence[ImportRow], progress: Progress | None, errors: list[RowError]
) -> tuple[list[_Planned], dict[str, uuid.UUID], int]:
    """The new items, the existing items' ids by key, and how many rows exist already."""
    orgs = _Organizations(
        await conn.fetch(
            "SELECT id, name, credit_code, parent_id, archived_at IS NOT NULL AS archived FROM organizations"
        )
    )
    keys = {row.key for row in rows} | {key for row in rows for key in row.answers}
    existing = await _existing(conn, sorted(keys))
    planned: list[_Planned] = []
    unchanged = 0
    for row in rows:
        if progress is not None:
            progress(1)
        if row.key in existing:
            unchanged += 1
            continue
        plan, problems = _resolve(row, orgs)
        errors.extend(problems)
        if plan is not None:
            planned.append(plan)
    new_problems = {p.row.key: p.data.organization_id for p in planned if p.row.list == LedgerList.PROBLEM}
    for plan in planned:
        if plan.row.answers and plan.row.list != LedgerList.TASK:
            errors.append(
                RowError(plan.row.sheet, plan.row.row, ANSWERS.heading, "only a task answers problems")
            )
        for key in plan.row.answers:
            old = existing.get(key)
            if old is not None and old["list"] == LedgerList.PROBLEM:
                problem_org = old["organization_id"]
            elif key in new_problems:
                problem_org = new_problems[key]
            else:
                errors.append(
                    RowError(plan.row.sheet, plan.row.row, ANSWERS.heading, f"no problem with key {key!r}")
                )
                continue
            if not _below(orgs, plan.assigner, problem_org):
                errors.append(
                    RowError(
                        plan.row.sheet,
                        plan.row.row,
                        ANSWERS.heading,
                        f"problem {key!r} is outside the assigner's subtree",
                    )
                )
    if errors:
        raise RowErrors(errors)
    return planned, {key: row["id"] for key, row in existing.items()}, unchanged


async def _write(conn: asyncpg.Connection, actor: Actor, batch: Sequence[_Planned]) -> list[LedgerItem]:
    columns = (
        [p.data.list.value for p in batch],
        [p.data.organization_id for p in batch],
        [p.assigner for p in batch],
        [p.data.year for p in batch],
        [p.data.title for p in batch],
        [p.data.description or "" for p in batch],
        [p.data.source.value for p in batch],
        [p.data.responsible_organization_id or p.data.organization_id for p in batch],
        [p.data.responsible_person for p in batch],
        [p.data.holder_role for p in batch],
        [p.data.due_date for p in batch],
        [p.data.import_key for p in batch],
    )
    try:
        rows = await conn.fetch(_INSERT, actor.tenant_id, *columns, actor.account_id)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise (CONSTRAINTS.translate(exc) or exc) from None
    items = [item_from_record(row) for row in rows]
    await conn.execute(
        _STEPS,
        actor.tenant_id,
        [i.id for i in items],
        [i.due_date for i in items],
        IMPORT_NOTE,
        actor.account_id,
        actor.login,
    )
    return items


async def import_ledger(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    rows: Sequence[ImportRow],
    errors: Sequence[RowError] = (),
    dry_run: bool = False,
    checked_rows: Progress | None = None,
    written_rows: Progress | None = None,
) -> ImportReport:
    """Check every row, then (unless ``dry_run``) write the new ones, in the caller's transaction
    scoped to ``actor``'s tenant; ``RowErrors`` and nothing written if any row is bad (or
    ``errors``, those found reading the file, is not empty). The progress callbacks hear of
    rows checked and items written."""
    planned, ids, unchanged = await _plan(conn, rows, checked_rows, list(errors))
    if dry_run:
        return ImportReport(created=len(planned), unchanged=unchanged, dry_run=True)
    by_key: dict[str, LedgerItem] = {}
    for start in range(0, len(planned), BATCH):
        for item in await _write(conn, actor, planned[start : start + BATCH]):
            assert item.import_key is not None
            by_key[item.import_key] = item
    answers: dict[uuid.UUID, list[uuid.UUID]] = {}
    for plan in planned:
        if plan.row.answers:
            task = by_key[plan.row.key].id
            answers[task] = [by_key[k].id if k in by_key else ids[k] for k in plan.row.answers]
    if answers:
        pairs = [(task, problem) for task, problems in answers.items() for problem in problems]
        await conn.execute(_ANSWERS, actor.tenant_id, [t for t, _ in pairs], [p for _, p in pairs])
    for plan in planned:
        item = by_key[plan.row.key]
        problems = answers.get(item.id, [])
        view = {
            **audit_view(item),
            "importKey": item.import_key,
            "answersProblemIds": [str(p) for p in problems],
        }
        await record_change(conn, actor, LedgerItemCreated.of(item, note=IMPORT_NOTE), after=view)
        if written_rows is not None:
            written_rows(1)
    return ImportReport(created=len(planned), unchanged=unchanged, dry_run=False)
