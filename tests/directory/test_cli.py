"""`alliance token` and `alliance apikey`, run as an operator would, then used over HTTP."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import httpx

from services.core.settings import Settings

VIEWER = "{ viewer { login tenant } }"


async def _alliance(*args: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **settings.to_env(), "LOG_JSON": "false"}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_token_is_the_last_line_and_works(
    settings: Settings, http: httpx.AsyncClient, demo: object
) -> None:
    result = await _alliance("token", "--tenant", "other", "--login", "soe-admin", settings=settings)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    response = await http.post(
        "/graphql", json={"query": VIEWER}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.json()["data"]["viewer"] == {"login": "soe-admin", "tenant": "other"}


async def test_token_for_unknown_login_fails_clearly(settings: Settings, demo: object) -> None:
    result = await _alliance("token", "--tenant", "demo", "--login", "nobody-here", settings=settings)
    assert result.returncode == 1
    assert "no such account" in result.stderr
    assert result.stdout == ""


async def test_apikey_create_list_revoke(settings: Settings, http: httpx.AsyncClient, demo: object) -> None:
    created = await _alliance("apikey", "create", "--tenant", "demo", "--name", "区级大屏", settings=settings)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    query = {"query": "{ organizations(first: 1) { totalCount } }"}
    assert (await http.post("/graphql", json=query, headers={"x-api-key": key})).json()["data"]

    listed = await _alliance("apikey", "list", "--tenant", "demo", settings=settings)
    prefix = key.split("_")[1]
    line = next(line for line in listed.stdout.splitlines() if prefix in line)
    key_id = line.split()[0]

    revoked = await _alliance("apikey", "revoke", key_id, settings=settings)
    assert revoked.returncode == 0, revoked.stderr
    refused = await http.post("/graphql", json=query, headers={"x-api-key": key})
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
