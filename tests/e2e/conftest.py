"""The demo stack (in-process threads, free ports) and a headless Chromium for the browser tests.

Chromium comes from Debian (``apt-get install -y chromium chromium-driver``), not ``playwright install``:
the tests use /usr/bin/chromium and skip with that reason when it is missing (CI installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

from lms_demo.stack import DemoConfig, DemoStack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_TODAY = date(2026, 11, 20)  # after the examples' diagnostics (September 2026)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    config = DemoConfig(
        workdir=tmp_path_factory.mktemp("demo"),
        examples=ROOT / "examples",
        sim_port=0,
        web_port=0,
        today=DEMO_TODAY,
    )
    with DemoStack(config) as running:
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: scripts/test.sh installs chromium (see its warnings)")
        pytest.skip(
            "no /usr/bin/chromium: install it with "
            "`apt-get update && apt-get install -y chromium chromium-driver` (CI does)"
        )
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="ru-RU",
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()
