"""The Korean demo merchant: CJ-shaped parcels tracked by the mock carrier (no network) in Korean
(간선상차, 배송출발, 서울 강남구), shown as CJ대한통운 on Korean pages, and 알림톡 in its notification log."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from tracking.carriers import mock
from tracking.carriers.detect import best_company
from tracking.models import AlimtalkTemplate, NotificationLog, Shipment, TrackingEvent
from tracking.page.presenters import carrier_display

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", "--scale", "0.03", stdout=StringIO())


def test_korean_parcels_are_on_korean_carrier_formats_with_korean_events(seeded):
    # The shop's own parcels (returns and exchanges travel on the demo carrier's own numbers).
    korean = Shipment.objects.filter(merchant__slug="hanok-home", is_return=False).exclude(order__source="exchange")
    numbers = list(korean.values_list("tracking_number", flat=True))
    assert numbers and all(len(n) == 12 and n.isdigit() and best_company(n) == "kr.cjlogistics" for n in numbers)
    assert not Shipment.objects.filter(merchant__slug="trailhead", tracking_number__in=numbers).exists()
    texts = set(TrackingEvent.objects.filter(shipment__merchant__slug="hanok-home").values_list("carrier_text",
                                                                                               flat=True))
    places = set(TrackingEvent.objects.filter(shipment__merchant__slug="hanok-home").values_list("location",
                                                                                                flat=True))
    assert {"간선상차", "배송출발", "배달완료"} <= texts and "서울 강남구" in places
    # The mock answers a poll of such a number the same way, in Korean, without any network.
    number = korean.filter(status="delivered").values_list("tracking_number", flat=True).first()
    result = mock.MockCarrier().track(number)
    assert result.events[-1].carrier_text == "배달완료"


def test_korean_pages_name_the_korean_carrier(seeded):
    number = Shipment.objects.filter(merchant__slug="hanok-home", is_return=False).exclude(
        order__source="exchange").values_list("tracking_number", flat=True).first()
    with translation.override("ko"):
        assert carrier_display("mock", number)[0] == "CJ대한통운"
    with translation.override("en"):
        assert carrier_display("mock", number)[0] == "CJ Logistics"
    us_number = Shipment.objects.filter(merchant__slug="trailhead", is_return=False).values_list("tracking_number", flat=True).first()
    assert carrier_display("mock", us_number)[0] == "Parcelway"


def test_the_notification_log_shows_alimtalk_and_one_fallback(seeded):
    assert AlimtalkTemplate.objects.filter(merchant__slug="hanok-home").count() == 3
    logs = NotificationLog.objects.filter(merchant__slug="hanok-home", channel="alimtalk")
    assert logs.exists() and set(logs.values_list("status", flat=True)) == {"sent"}
    fallback = logs.get(fallback_used=True)
    assert fallback.delivered_by == "lms" and [a["kind"] for a in fallback.attempt_log] == ["alimtalk", "lms"]
    # Seeding again changes nothing.
    count = logs.count()
    call_command("seed_demo", "--scale", "0.03", stdout=StringIO())
    assert NotificationLog.objects.filter(channel="alimtalk").count() == count
