"""A real browser for end-to-end tests: Debian's Chromium, driven by Playwright.

Reusable by any page the platform serves. The page may reach the platform's own origin only:
every request elsewhere is aborted and recorded, so a test can assert that a page works
offline (as on a government intranet) and that it tried to reach nobody else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Route, async_playwright

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    """The Chromium to drive: ``CHROMIUM`` if set, else the first one on PATH."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class OfflinePage:
    """A page allowed to reach one origin; what it asked of others is kept in ``blocked``."""

    page: Page
    origin: str
    requested: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    async def _route(self, route: Route) -> None:
        url = route.request.url
        self.requested.append(url)
        if url.startswith(("data:", "blob:")) or _origin(url) == self.origin:
            await route.continue_()
        else:
            self.blocked.append(url)
            await route.abort("blockedbyclient")


@contextlib.asynccontextmanager
async def browser(executable: str) -> AsyncIterator[Browser]:
    """A headless Chromium, closed at the end."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            # Root in a container has no user namespace sandbox; the page is our own.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            yield launched
        finally:
            await launched.close()


@contextlib.asynccontextmanager
async def offline_page(chromium: Browser, origin: str) -> AsyncIterator[OfflinePage]:
    """A fresh page that may talk to ``origin`` (and its WebSocket) only."""
    context = await chromium.new_context()
    page = await context.new_page()
    offline = OfflinePage(page=page, origin=origin)
    await context.route("**/*", offline._route)
    page.on("console", lambda m: offline.console_errors.append(m.text) if m.type == "error" else None)

    def websocket_opened(ws: object) -> None:
        url = str(getattr(ws, "url", ""))
        offline.requested.append(url)
        http_origin = _origin(url.replace("ws://", "http://", 1).replace("wss://", "https://", 1))
        if http_origin != origin:
            offline.blocked.append(url)

    page.on("websocket", websocket_opened)
    try:
        yield offline
    finally:
        await context.close()
