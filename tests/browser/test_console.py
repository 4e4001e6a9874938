"""The developer console in a real browser, with every other origin blocked (an intranet)."""

from __future__ import annotations

import json

from playwright.async_api import Browser, Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.harness import offline_page
from tests.conftest import GraphQLClient, RunningServer, Tokens

RENDER_TIMEOUT_MS = 30_000

CREATE_ORGANIZATION = """
mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }
"""


async def _replace_editor_text(page: Page, editor_selector: str, text: str) -> None:
    """Type into a GraphiQL editor as a person would: focus it, select all, type."""
    await page.click(f"{editor_selector} .CodeMirror-lines")
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Delete")
    # insert_text types the characters without key events, so the editor's bracket
    # auto-closing does not double the braces a person would have typed over.
    await page.keyboard.insert_text(text)


async def _open(page: Page, base_url: str) -> None:
    """Load the console and wait until it has the schema (it routes subscriptions by it)."""
    async with page.expect_response(
        lambda r: r.url.startswith(base_url) and "IntrospectionQuery" in (r.request.post_data or ""),
        timeout=RENDER_TIMEOUT_MS,
    ) as introspection:
        response = await page.goto(f"{base_url}/graphql")
        assert response is not None and response.status == 200
    assert (await introspection.value).ok
    await page.wait_for_selector(".graphiql-execute-button", timeout=RENDER_TIMEOUT_MS)


async def _set_headers(page: Page, token: str) -> None:
    await page.get_by_role("button", name="Headers").click()
    await _replace_editor_text(
        page,
        ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
        json.dumps({"Authorization": f"Bearer {token}"}),
    )


async def test_the_console_runs_a_query_with_a_typed_token_and_reaches_no_other_origin(
    chromium: Browser, server: RunningServer, tokens: Tokens
) -> None:
    token = await tokens("alliance-admin")
    async with offline_page(chromium, server.base_url) as offline:
        page = offline.page
        await _open(page, server.base_url)

        await _set_headers(page, token)
        await _replace_editor_text(page, ".graphiql-query-editor", "{ viewer { login } }")
        await page.click(".graphiql-execute-button")

        result = page.locator(".graphiql-response")
        await result.get_by_text('"login": "alliance-admin"').wait_for(timeout=RENDER_TIMEOUT_MS)

        assert offline.blocked == []
        assert offline.requested, "the page loaded nothing through the router"
        assert all(
            url.startswith(server.base_url) for url in offline.requested if not url.startswith("data:")
        )
        assert offline.console_errors == []


async def test_the_console_follows_a_subscription_over_graphql_transport_ws(
    chromium: Browser, server: RunningServer, tokens: Tokens, gql: GraphQLClient
) -> None:
    token = await tokens("alliance-admin")
    async with offline_page(chromium, server.base_url) as offline:
        page = offline.page
        await _open(page, server.base_url)
        await _set_headers(page, token)
        await _replace_editor_text(
            page,
            ".graphiql-query-editor",
            'subscription { events(types: ["organization.created.v1"]) { type data } }',
        )
        # GraphiQL sends an operation over the WebSocket once it has parsed the editor's text
        # (a moment after typing); until then it would try HTTP, which refuses subscriptions.
        for _ in range(10):
            try:
                async with page.expect_websocket(
                    lambda ws: ws.url.startswith(server.base_url.replace("http", "ws", 1)), timeout=3_000
                ):
                    await page.click(".graphiql-execute-button")
                break
            except PlaywrightTimeoutError:
                continue
        else:
            raise AssertionError("the console never opened a WebSocket for the subscription")

        name = "浏览器订阅测试社区"
        result = page.locator(".graphiql-response")
        # The subscription is registered a moment after the socket opens; write until it shows.
        for attempt in range(20):
            body = await gql(
                CREATE_ORGANIZATION,
                {"input": {"name": f"{name}{attempt}", "kind": "COMMUNITY"}},
                login="alliance-admin",
            )
            assert "errors" not in body, body
            try:
                await result.get_by_text(name).first.wait_for(timeout=3_000)
                break
            except PlaywrightTimeoutError:
                continue
        else:
            raise AssertionError("the console never showed the subscribed event")
        assert offline.blocked == []
