"""Fixtures of the web tests: Debian's Chromium driven by Playwright, a folder for screenshots
people look at, and the demo mall published (for the phone pages that show it)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from server.content import services as content_services
from sync.bundle import load_source_bundle

CHROMIUM = Path("/usr/bin/chromium")
DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"


@pytest.fixture
def chromium(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def screenshots(request) -> Path:
    """Where screenshots go for people to look at: $CONCIERGE_SCREENSHOTS or the test's tmp dir."""
    folder = Path(os.environ.get("CONCIERGE_SCREENSHOTS") or request.getfixturevalue("tmp_path"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo_mall():
    bundle = load_source_bundle(DEMO)
    mall = content_services.import_mall_content(bundle.content, bundle.blobs).mall
    content_services.publish(mall)
    return mall
