"""A late parcel and a lost parcel on a 360 px phone, in English and Korean, in a real browser: the notice
fits the screen, the lost one promises no delivery date, and both say what happens next."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import MerchantFactory, OrderFactory, OrderLineFactory, ShipmentFactory, ShipmentLineFactory
from tracking.carriers import status as st
from tracking.models import DelayCase
from tracking.services.shipments import NewEvent, shipment_add_events
from tracking.tokens import make_token

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 780}
# Every element's right edge inside the viewport (1 px of rounding allowed).
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.tagName + '.' + el.className)"""


def shop_order(number, title):
    merchant = MerchantFactory(slug="hanok", name="Hanok Home", primary_color="#7c2d12", accent_color="#0b875e",
                               support_email="help@hanok.example.com", support_phone="+82 2 123 4567",
                               quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(0))
    order = OrderFactory(merchant=merchant, number=number, customer__email="mina@example.com",
                         customer__name="Mina Kim")
    shipment = ShipmentFactory(order=order, tracking_number=f"DS{number.strip('#')}LONGNUMBER0042",
                               promised_delivery_date=timezone.localdate() - dt.timedelta(days=1))
    ShipmentLineFactory(shipment=shipment, order_line=OrderLineFactory(order=order, title=title, quantity=1))
    return order, shipment


def late_order():
    order, shipment = shop_order("#3001", "Linen throw")
    now = timezone.now()
    # Autocommit (transaction=True): re-prediction and the delay rule run as after a real webhook.
    shipment_add_events(shipment=shipment, source="webhook", events=[
        NewEvent(occurred_at=now - dt.timedelta(days=2), status=st.INFO_RECEIVED, carrier_event_id="1"),
        NewEvent(occurred_at=now - dt.timedelta(hours=3), status=st.IN_TRANSIT, reason="weather",
                 carrier_text="Delayed by severe weather", location="Daejeon Hub, KR", carrier_event_id="2")])
    shipment.refresh_from_db()
    assert shipment.is_delayed
    return order


def lost_order():
    order, shipment = shop_order("#3002", "Celadon tea cup set with a rather long product name")
    now = timezone.now()
    shipment_add_events(shipment=shipment, source="webhook", events=[
        NewEvent(occurred_at=now - dt.timedelta(days=3), status=st.IN_TRANSIT, carrier_event_id="1"),
        NewEvent(occurred_at=now - dt.timedelta(hours=2), status=st.EXCEPTION, reason="lost",
                 carrier_text="Shipment cannot be located, investigation opened", location="Gonjiam Hub, KR",
                 carrier_event_id="2")])
    assert DelayCase.objects.get(shipment=shipment).follow_up_due is not None
    return order


def open_page(browser, live_server, order, locale):
    context = browser.new_context(viewport=NARROW, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []  # CSP violations and script errors; failed requests other than the favicon
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    page.goto(f"{live_server.url}/t/{make_token('order', {'o': order.pk})}/")
    page.locator(".parcel").first.wait_for()
    return context, page, errors


@pytest.mark.parametrize("locale,running_late,reason", [("en-US", "Running late", "Severe weather"),
                                                        ("ko-KR", "배송 지연", "기상 악화")])
def test_a_late_parcel_fits_a_narrow_phone(browser, live_server, artifacts_dir, locale, running_late, reason):
    context, page, errors = open_page(browser, live_server, late_order(), locale)
    try:
        banner = page.locator(".banner-delay")
        assert running_late in banner.inner_text() and reason in banner.inner_text()
        certainty = page.locator(".certainty").inner_text()
        assert "Very likely" not in certainty and "거의 확실" not in certainty
        assert page.evaluate(OVERFLOWING) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        assert errors == []
        page.screenshot(path=str(artifacts_dir / f"delay-late-{locale[:2]}-360.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("locale,searching,next_step,arriving", [
    ("en-US", "The carrier is searching for your parcel.", "We'll email you by", "Arriving"),
    ("ko-KR", "택배사에서 택배를 찾고 있습니다.", "까지 이메일로 알려 드리겠습니다", "도착 예정")])
def test_a_lost_parcel_promises_an_update_not_a_date(browser, live_server, artifacts_dir, locale, searching,
                                                    next_step, arriving):
    context, page, errors = open_page(browser, live_server, lost_order(), locale)
    try:
        notice = page.locator(".banner-exception")
        assert searching in notice.inner_text() and next_step in notice.inner_text()
        assert arriving not in page.locator(".parcel").inner_text()
        contact = notice.locator("a.action-contact")
        assert contact.get_attribute("href").startswith("mailto:help@hanok.example.com")
        assert contact.bounding_box()["height"] >= 44  # a thumb-sized target
        assert page.evaluate(OVERFLOWING) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        assert errors == []
        page.screenshot(path=str(artifacts_dir / f"delay-lost-{locale[:2]}-360.png"), full_page=True)
    finally:
        context.close()
