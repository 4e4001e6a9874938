"""Browser fixtures: one headless Chromium per test run, when one is installed.

``.ci/run`` installs Debian's chromium, so in CI these tests always run. On a developer
machine without Chromium they are skipped with the reason (``apt-get install chromium``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.browser.harness import browser, chromium_path


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); CI installs it")
    async with browser(executable) as launched:
        yield launched
