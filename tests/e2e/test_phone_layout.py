"""Every shopper page on a 360 px phone, in English and in Korean, in a real browser under the
production CSP: nothing wider than the screen, every picture loaded, the inline 0–10 scale on one
line, the survey's 0–10 radios on one row, no CSP violation."""
import pytest
from django.urls import reverse

from feedback.selectors import survey_page_url
from returns.services import return_policy_ensure
from tests.factories import SurveyFactory
from tests.support.returns import make_order
from tests.support.shopper_pages import email_contexts
from tracking.carriers import status as st
from tracking.demo.seed import seed
from tracking.models import Shipment
from tracking.page.views import order_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"width": 360, "height": 740}
# Records CSP violations in the page itself, whatever the console says.
WATCH_CSP = """window.__csp = []; document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"""
TOO_WIDE = """() => { const width = document.documentElement.clientWidth; const wide = [];
  if (document.documentElement.scrollWidth > width) wide.push('document ' + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return wide.slice(0, 5); }"""
IMAGES_LOADED = """() => Array.from(document.images).every(img => img.complete)"""
BROKEN_IMAGES = """() => Array.from(document.images).filter(img => !img.naturalWidth).map(img => img.src)"""


@pytest.fixture(params=["en", "ko"])
def phone(request, browser):
    context = browser.new_context(viewport=PHONE_360, locale="ko-KR" if request.param == "ko" else "en-US")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.language = request.param
    yield page
    context.close()


def check(page, where: str) -> None:
    page.wait_for_load_state("load")
    # Lazy pictures load when scrolled to: load them all, then look.
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => img.loading = 'eager')")
    page.wait_for_function(IMAGES_LOADED)
    label = f"{where} [{page.language}]"
    assert page.evaluate("document.documentElement.lang") == page.language, label
    assert not page.evaluate(TOO_WIDE), f"{label}: wider than 360 px: {page.evaluate(TOO_WIDE)}"
    assert not page.evaluate(BROKEN_IMAGES), f"{label}: pictures that did not load: {page.evaluate(BROKEN_IMAGES)}"
    assert not page.evaluate("window.__csp"), f"{label}: CSP violations {page.evaluate('window.__csp')}"
    csp_console = [e for e in page.console_errors if "Content Security Policy" in e]
    assert not csp_console, f"{label}: {csp_console}"


def one_line(page, selector: str) -> bool:
    tops = page.eval_on_selector_all(selector, "els => els.map(el => Math.round(el.getBoundingClientRect().top))")
    return len(tops) == 11 and len(set(tops)) == 1


def test_tracking_pages_in_every_state(live_server, phone):
    seed(scale=0.02)
    base = live_server.url
    phone.goto(f"{base}/track/")
    check(phone, "lookup")
    for status in (st.INFO_RECEIVED, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, st.EXCEPTION,
                   st.DELIVERED):
        for shipment in (Shipment.objects.filter(status=status, is_return=False, merchant__slug=slug)
                         .select_related("order").first() for slug in ("hanok-home", "trailhead")):
            if shipment is None:
                continue
            phone.goto(base + order_url(shipment.order))
            check(phone, f"order page {shipment.merchant.slug} {status}")
            phone.goto(f"{base}/track/?tracking_number={shipment.tracking_number}")
            check(phone, f"journey {status}")
    phone.goto(f"{base}/t/not-a-link/")
    check(phone, "404")


def test_too_many_lookups_page(live_server, phone, merchant, settings):
    settings.DOORSTEP_LOOKUP_MAX_FAILURES = 1
    for _attempt in range(2):
        phone.goto(f"{live_server.url}/track/{merchant.slug}/")
        phone.fill("input[name=number]", "NOPE-1")
        phone.fill("input[name=secret]", "nobody@example.com")
        phone.locator("main form button[type=submit]").first.click()
        phone.wait_for_load_state()
    assert phone.locator("#limit-title").count() == 1
    check(phone, "429")


@pytest.mark.parametrize("kind", sorted(email_contexts()))
def test_every_email_fits_a_phone(kind, browser, merchant):
    from tests.factories import NotificationLogFactory
    from tracking.notifications.services import render_message

    log = NotificationLogFactory(order__merchant=merchant, order__customer__merchant=merchant,
                                 order__customer__locale="ko", kind=kind, context=email_contexts()[kind])
    context = browser.new_context(viewport=PHONE_360)
    page = context.new_page()
    page.set_content(render_message(log).html)
    assert page.evaluate("document.documentElement.lang") == "ko"
    assert not page.evaluate(TOO_WIDE), f"{kind}: wider than 360 px: {page.evaluate(TOO_WIDE)}"
    context.close()


def test_survey_and_the_inline_scale(live_server, phone, merchant):
    order = make_order(merchant)
    survey = SurveyFactory(merchant=merchant, order=order, customer=order.customer, status="sent")
    phone.goto(live_server.url + order_url(order))
    check(phone, "order page with the survey")
    assert one_line(phone, ".nps-inline .nps-score"), "the inline 0–10 links are not on one line"
    phone.goto(live_server.url + survey_page_url(survey, absolute=False))
    check(phone, "survey page")
    assert one_line(phone, ".nps-radios .nps-radio"), "the survey's 0–10 radios are not on one row"


def test_returns_portal_steps(live_server, phone, merchant):
    return_policy_ensure(merchant=merchant)
    order = make_order(merchant)
    base = live_server.url
    submit = phone.locator("main form button[type=submit]").first
    phone.goto(base + reverse("returns:start"))
    check(phone, "returns start")
    phone.fill("input[name=number]", order.number)
    phone.fill("input[name=answer]", order.customer.email)
    submit.click()
    phone.wait_for_url("**/items/")
    check(phone, "returns items")
    phone.locator("input[name^=qty_]").first.fill("1")
    submit.click()
    phone.wait_for_url("**/details/")
    check(phone, "returns details")
    phone.locator("input[name=reason][value=doesnt_fit]").check()
    phone.locator("input[name=resolution]").first.check()
    submit.click()
    phone.wait_for_url("**/method/")
    check(phone, "returns method")
    submit.click()
    phone.wait_for_url("**/summary/")
    check(phone, "returns summary")
    # The summary's label column keeps whole words: no label narrower than its longest word.
    narrow = phone.eval_on_selector_all(".summary dt", "els => els.filter(el => el.scrollWidth > el.clientWidth + 1 "
                                                     "|| el.getBoundingClientRect().width < 60).length")
    assert narrow == 0
    submit.click()
    phone.wait_for_url("**/returns/r/**")
    check(phone, "return page")
    bars = phone.eval_on_selector_all(".progress li", "els => new Set(els.map(e => Math.round(e.getBoundingClientRect().top))).size")
    assert bars == 1, "the return's progress bar wraps"
