"""The developer console over HTTP: a page with a strict policy, assets served by the platform."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from services.core.settings import Settings
from services.gateway.console.fetch import is_current, sri
from services.gateway.console.page import CONTENT_SECURITY_POLICY, Console
from tests.conftest import RunningServer

BROWSER = {"accept": "text/html,application/xhtml+xml"}
ASSET = re.compile(r'(?:src|href)="(/console/assets/[^"]+)" integrity="([^"]+)"')


async def test_the_console_page_loads_only_its_own_origin(http: httpx.AsyncClient) -> None:
    assert is_current(), "console assets missing: `make install` fetches them with npm"
    page = await http.get("/graphql", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unpkg" not in page.text
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page.text), "a reference to another origin"
    assets = ASSET.findall(page.text)
    names = {url.rsplit("/", 1)[1] for url, _ in assets}
    assert {"react.production.min.js", "graphiql.min.js", "plugin-explorer.umd.js", "console.js"} <= names
    for url, integrity in assets:
        response = await http.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert sri(response.content, "sha384") == integrity, url


async def test_a_stale_or_unknown_asset_url_answers_404(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers=BROWSER)
    url = ASSET.findall(page.text)[0][0]
    digest = url.split("/")[3]
    assert (await http.get(url.replace(digest, "0" * len(digest)))).status_code == 404
    assert (await http.get(f"/console/assets/{digest}/../../pyproject.toml")).status_code == 404


async def test_graphql_ide_false_serves_no_console(settings: Settings, http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers=BROWSER)
    url = ASSET.findall(page.text)[0][0]
    off = RunningServer(replace(settings, graphql_ide=False, relay_in_server=False, workers_in_server=()))
    await off.start()
    try:
        async with httpx.AsyncClient(base_url=off.base_url, timeout=10) as client:
            page = await client.get("/graphql", headers=BROWSER)
            assert page.status_code == 404
            assert "graphiql" not in page.text.lower()
            assert (await client.get(url)).status_code == 404
    finally:
        await off.stop()


def test_without_assets_the_page_says_how_to_install_them(tmp_path: Path) -> None:
    response = Console(static_dir=tmp_path).page()
    assert response.status_code == 503
    assert b"make console" in response.body
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


async def test_a_subscription_over_plain_http_is_refused_with_a_reason(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "subscription { events { type } }"})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "subscription" in body["errors"][0]["message"].lower()


@pytest.mark.parametrize("accept", ["application/json", "*/*"])
async def test_api_clients_never_get_the_page(http: httpx.AsyncClient, accept: str) -> None:
    response = await http.get("/graphql", params={"query": "{ apiVersion }"}, headers={"accept": accept})
    assert response.json()["data"]["apiVersion"]
