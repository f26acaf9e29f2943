"""The API docs page loads from the app alone (no CDN, no online validator) and works under its CSP."""
import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium installed")]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        yield page
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_docs_page_renders_without_external_requests(live_server, browser_page):
    requests, console = [], []
    browser_page.on("request", lambda r: requests.append(r.url))
    browser_page.on("console", lambda m: console.append(m.text))
    browser_page.goto(f"{live_server.url}/api/docs/")
    browser_page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "Doorstep API" in browser_page.inner_text(".swagger-ui .info .title")
    browser_page.wait_for_selector("text=/api/v1/shipments/", timeout=20_000)
    external = [u for u in requests if not u.startswith(live_server.url) and not u.startswith("data:")]
    assert external == []
    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console
