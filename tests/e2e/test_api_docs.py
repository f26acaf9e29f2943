"""The API docs page loads from the app alone (no CDN, no online validator) and works under its CSP."""
import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_docs_page_renders_without_external_requests(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})  # a developer's screen, not a phone
    requests, console = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console.append(m.text))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "Doorstep API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector("text=/api/v1/shipments/", timeout=20_000)
    external = [u for u in requests if not u.startswith(live_server.url) and not u.startswith("data:")]
    assert external == []
    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console
