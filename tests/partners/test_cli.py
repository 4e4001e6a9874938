"""`alliance operations push`, run as an operator would; the key then runs the file by hash."""

from __future__ import annotations

import pathlib

import asyncpg
import httpx

from services.core.settings import Settings
from tests.conftest import error_code
from tests.directory.test_cli import _alliance
from tests.partners.helpers import new_key, post, sha256

FILE = """
query Streets { organizations(first: 3, filter: {kind: STREET_COMMITTEE}) { ...Names } }
query Count { organizations(first: 1) { totalCount } }
fragment Names on OrganizationConnection { edges { node { name } } }
"""


async def test_push_registers_each_operation_and_the_key_runs_them_by_hash(
    settings: Settings,
    http: httpx.AsyncClient,
    admin_conn: asyncpg.Connection,
    tmp_path: pathlib.Path,
    demo: object,
) -> None:
    key_id, key = await new_key(admin_conn, "推送测试")
    source = tmp_path / "partner.graphql"
    source.write_text(FILE, encoding="utf-8")
    result = await _alliance(
        "operations", "push", str(source), "--tenant", "demo", "--key", str(key_id), settings=settings
    )
    assert result.returncode == 0, result.stderr
    lines = dict((line.split()[0], line.split()[2]) for line in result.stdout.strip().splitlines())
    assert set(lines) == {"Streets", "Count"}
    answer = await post(
        http, key, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": lines["Streets"]}}}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["organizations"]["edges"]
    # the file's text as written is not what was registered (each operation is stored alone)
    assert error_code((await post(http, key, {"query": FILE, "operationName": "Count"})).json()) == (
        "PERSISTED_QUERY_NOT_ALLOWED"
    )
    assert sha256(FILE) not in lines.values()

    other = await _alliance(
        "operations", "push", str(source), "--tenant", "other", "--key", str(key_id), settings=settings
    )
    assert other.returncode != 0 and "no such active API key" in other.stderr
