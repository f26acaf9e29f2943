"""A shopper on a phone: looks an order up, reads the progress and the estimate, switches to
Korean, and fixes a failed delivery — in a real browser, with the production CSP in force."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import OrderFactory, OrderLineFactory, ShipmentFactory, ShipmentLineFactory
from tracking.carriers import status as st
from tracking.carriers.mock import make_tracking_number
from tracking.models import DeliveryRequest
from tracking.services.shipments import NewEvent, shipment_add_events

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def make_order(merchant):
    # The shop's own brand colours: the page must apply them under the production CSP.
    merchant.primary_color, merchant.accent_color = "#7c2d12", "#0b875e"
    merchant.save(update_fields=["primary_color", "accent_color"])
    order = OrderFactory(merchant=merchant, number="#1001", customer__email="mina@example.com",
                         customer__name="Mina Kim")
    now = timezone.now()
    first = ShipmentFactory(order=order, promised_delivery_date=timezone.localdate() + dt.timedelta(days=1),
                            predicted_window_start=timezone.localdate() + dt.timedelta(days=1),
                            predicted_window_end=timezone.localdate() + dt.timedelta(days=3))
    ShipmentLineFactory(shipment=first, order_line=OrderLineFactory(order=order, title="Linen throw", quantity=2))
    shipment_add_events(shipment=first, source="webhook", events=[
        NewEvent(occurred_at=now - dt.timedelta(hours=20), status=st.INFO_RECEIVED, carrier_text="Label created"),
        NewEvent(occurred_at=now - dt.timedelta(hours=10), status=st.IN_TRANSIT, carrier_text="Departed Gonjiam Hub",
                 location="Gwangju-si, KR"),
    ])
    number = make_tracking_number("failed_then_delivered", now - dt.timedelta(hours=30), 42)
    second = ShipmentFactory(order=order, tracking_number=number)
    ShipmentLineFactory(shipment=second, order_line=OrderLineFactory(order=order, title="Celadon mug", quantity=1))
    shipment_add_events(shipment=second, source="webhook", events=[
        NewEvent(occurred_at=now - dt.timedelta(hours=6), status=st.OUT_FOR_DELIVERY, location="Busan, KR"),
        NewEvent(occurred_at=now - dt.timedelta(hours=2), status=st.FAILED_ATTEMPT, reason="recipient_unavailable",
                 carrier_text="Delivery attempted, recipient not available", location="Busan, KR"),
    ])
    return order, second


def test_shopper_looks_up_order_switches_to_korean_and_fixes_delivery(live_server, page, artifacts_dir, merchant):
    order, failed = make_order(merchant)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    failed_requests = []
    page.on("response", lambda r: failed_requests.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)

    page.goto(f"{live_server.url}/track/acme/")
    page.get_by_label("Order number").fill("1001")
    page.get_by_label("Email or delivery postcode").fill("Mina@Example.com")
    page.get_by_role("button", name="Find my order").click()

    page.get_by_role("heading", name="Order #1001").wait_for()
    assert "/t/" in page.url
    assert page.get_by_text("Parcel 1 of 2").is_visible()
    assert page.locator(".progress").first.is_visible()
    assert page.get_by_text("Step 3 of 5: In transit").count() == 1  # the bar's accessible text
    assert page.locator(".estimate").first.inner_text().startswith("Arriving ")
    assert page.get_by_text("A delivery attempt failed").is_visible()
    # The brand stylesheet applied (CSP allows only our own stylesheets).
    brand = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")
    assert brand == "#7c2d12"
    page.screenshot(path=str(artifacts_dir / "tracking-page-en-390.png"), full_page=True)

    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change").click()
    page.get_by_role("heading", name="주문 #1001").wait_for()
    assert page.get_by_text("택배 1 / 2").is_visible()
    assert "도착 예정" in page.locator(".estimate").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "tracking-page-ko-390.png"), full_page=True)

    page.get_by_text("배송 요청 사항 남기기").click()
    page.get_by_label("배송 기사님께 남길 말").fill("경비실에 맡겨 주세요")
    page.get_by_role("button", name="요청 사항 보내기").click()
    page.get_by_text("택배사에서 확인했습니다").wait_for()
    request = DeliveryRequest.objects.get(shipment=failed)
    assert request.status == DeliveryRequest.Status.CARRIER_CONFIRMED
    assert request.instructions == "경비실에 맡겨 주세요"
    page.locator(f"#parcel-{failed.tracking_number}").screenshot(
        path=str(artifacts_dir / "tracking-page-request-ko-390.png"))
    assert not failed_requests, failed_requests
    assert not [e for e in errors if "favicon" not in e and "404" not in e], errors  # e.g. CSP violations


def test_tracking_number_only_and_wrong_details(live_server, page, merchant):
    order, failed = make_order(merchant)
    page.goto(f"{live_server.url}/track/acme/")
    page.get_by_label("Order number").fill("1001")
    page.get_by_label("Email or delivery postcode").fill("someone@example.com")
    page.get_by_role("button", name="Find my order").click()
    page.get_by_text("We couldn't find an order with those details").wait_for()

    page.get_by_label("Tracking number", exact=True).fill(failed.tracking_number)
    page.get_by_role("button", name="Show the parcel").click()
    page.get_by_role("heading", name="Parcel journey").wait_for()
    text = page.inner_text("main")
    assert "Delivery attempt failed" in text and "Mina" not in text and "Celadon" not in text
