"""Helpers of the Excel tests: the real `alliance` command, twin tenants, workbooks made by hand."""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import openpyxl

from services.core.settings import Settings
from services.ledger.models import LedgerList
from services.ledger.workbook import COLUMNS, SHEETS

_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


async def alliance(*args: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    """``alliance …`` as an operator runs it, against the test run's database."""
    env = {**os.environ, **settings.to_env(), "LOG_JSON": "false"}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass(frozen=True)
class Tenant:
    slug: str
    id: uuid.UUID
    orgs: dict[str, uuid.UUID]  # by short name: district, street, garden, riverside
    admin_id: uuid.UUID


def credit_codes() -> dict[str, str]:
    """Random unified social credit codes (format only) for the four organisations."""
    return {
        name: "".join(secrets.choice(_CODE_ALPHABET) for _ in range(18))
        for name in ("district", "street", "garden", "riverside")
    }


async def new_tenant(admin_conn: asyncpg.Connection, codes: dict[str, str]) -> Tenant:
    """A tenant with a district → street → two communities tree bearing ``codes``."""
    slug = f"xl-{uuid.uuid4().hex[:8]}"
    tenant_id = await admin_conn.fetchval(
        "INSERT INTO alliances (slug, name, region_code) VALUES ($1, $2, '110101') RETURNING id", slug, slug
    )
    orgs: dict[str, uuid.UUID] = {}
    tree = (
        ("district", "区委组织部", "DISTRICT_COMMITTEE", None),
        ("street", "东城街道党工委", "STREET_COMMITTEE", "district"),
        ("garden", "花园社区党委", "COMMUNITY", "street"),
        ("riverside", "滨河社区党支部", "COMMUNITY", "street"),
    )
    for short, name, kind, parent in tree:
        orgs[short] = await admin_conn.fetchval(
            "INSERT INTO organizations (tenant_id, name, kind, parent_id, credit_code)"
            " VALUES ($1, $2, $3, $4, $5) RETURNING id",
            tenant_id,
            name,
            kind,
            orgs[parent] if parent else None,
            codes[short],
        )
    admin_id = await admin_conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, 'xl-admin', '管理员') RETURNING id",
        tenant_id,
    )
    return Tenant(slug=slug, id=tenant_id, orgs=orgs, admin_id=admin_id)


def headings(ledger_list: LedgerList) -> list[str]:
    return [c.heading for c in COLUMNS[ledger_list]]


def workbook(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """An .xlsx with these sheets (first row: headings)."""
    book = openpyxl.Workbook()
    assert book.active is not None
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_sheets(path: Path | bytes) -> dict[str, list[dict[str, object]]]:
    """Every list sheet of an exported workbook, as rows keyed by heading."""
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    book = openpyxl.load_workbook(source)
    found: dict[str, list[dict[str, object]]] = {}
    for name in SHEETS.values():
        rows = list(book[name].iter_rows(values_only=True))
        found[name] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return found
