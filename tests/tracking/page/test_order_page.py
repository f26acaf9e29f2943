import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from tests.factories import ShipmentFactory, TrackingEventFactory
from tracking import extensions
from tracking.page import presenters
from tracking.page.selectors import order_page_version

from tests.support.page import add_events, order_link
from tracking.carriers import status as st

pytestmark = pytest.mark.django_db


def page(client, order, **headers):
    response = client.get(order_link(order), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_parcel_card_shows_everything_a_shopper_needs(client, order, in_transit):
    in_transit.predicted_window_start = timezone.localdate() + dt.timedelta(days=2)
    in_transit.predicted_window_end = timezone.localdate() + dt.timedelta(days=4)
    in_transit.save()
    body = page(client, order)
    assert "Step 3 of 5: In transit" in body  # the progress bar's accessible text
    assert 'class="step step-current"' in body
    assert "Arriving " in body and "Estimated" in body
    assert "Parcelway" in body and in_transit.tracking_number in body
    assert f"https://mock-carrier.doorstep.local/track/{in_transit.tracking_number}" in body
    assert "Linen throw" in body and "× 2" in body
    assert "https://acme.example.com/faq" in body and "help@acme.example.com" in body and "tel:" in body
    assert "Running late" not in body
    assert 'rel="stylesheet" href="/brand/acme.css?v=' in body


def test_no_inline_script_or_style_and_strict_csp(client, order, in_transit):
    response = client.get(order_link(order))
    body = response.content.decode()
    assert "<script" not in body and "style=" not in body and "<style" not in body
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert client.get("/track/")["Content-Security-Policy"] == csp


def test_admin_gets_its_own_csp_not_the_shoppers(client):
    from tracking.page.csp import ADMIN_POLICY, POLICY

    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert policy == ADMIN_POLICY != POLICY


def test_out_for_delivery_says_arriving_today(client, order, shipment):
    add_events(shipment, st.IN_TRANSIT, st.OUT_FOR_DELIVERY)
    assert "Arriving today" in page(client, order)


def test_delivered_shows_day_time_in_merchant_zone_and_proof(client, order, shipment):
    delivered_at = dt.datetime(2026, 11, 23, 1, 42, tzinfo=dt.timezone.utc)  # 10:42 in Seoul
    add_events(shipment, st.IN_TRANSIT, st.DELIVERED, start=delivered_at - dt.timedelta(hours=1),
               details={"signed_by": "M. Kim", "photo_url": "https://pod.example.com/p.jpg"})
    body = page(client, order)
    assert "Delivered Mon 23 Nov 10:42" in body
    assert "Signed for by M. Kim" in body and 'src="https://pod.example.com/p.jpg"' in body


def test_proof_photo_must_be_https(client, order, shipment):
    add_events(shipment, st.DELIVERED, details={"photo_url": "javascript:alert(1)", "signed_by": "<b>x</b>"})
    body = page(client, order)
    assert "javascript:" not in body and "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body


def test_delay_banner_for_reason_and_for_prediction_past_promise(client, order, shipment,
                                                                 django_capture_on_commit_callbacks):
    add_events(shipment, st.IN_TRANSIT, reason="weather")
    assert "Severe weather" in page(client, order)
    other = ShipmentFactory(order=order, promised_delivery_date=dt.date(2026, 11, 24),
                            predicted_window_start=dt.date(2026, 11, 25), predicted_window_end=dt.date(2026, 11, 27))
    with django_capture_on_commit_callbacks(execute=True):  # re-prediction and the delay rule run after commit
        add_events(other, st.IN_TRANSIT)
    body = page(client, order)
    assert "Parcel 2 of 2" in body and "taking longer than promised" in body


class TestEstimateWording:
    today = dt.date(2026, 11, 23)

    def shipment(self, **fields):
        defaults = dict(status=st.IN_TRANSIT, delivered_at=None, predicted_window_start=dt.date(2026, 11, 24),
                        predicted_window_end=dt.date(2026, 11, 26), predicted_confidence=None,
                        carrier_delivery_date=None, promised_delivery_date=None, status_reason="",
                        is_delayed=False, is_return=False)
        defaults.update(fields)
        return mock.Mock(**defaults)

    def estimate(self, language="en", **fields):
        with translation.override(language):
            return presenters.estimate_for(self.shipment(**fields), tz=presenters.merchant_zone_name("Asia/Seoul"),
                                           today=self.today)

    def test_window_in_english(self):
        assert self.estimate().headline == "Arriving Tue 24 – Thu 26 Nov"

    def test_window_across_months(self):
        estimate = self.estimate(predicted_window_start=dt.date(2026, 11, 30), predicted_window_end=dt.date(2026, 12, 2))
        assert estimate.headline == "Arriving Mon 30 Nov – Wed 2 Dec"

    def test_window_in_korean(self):
        assert self.estimate("ko").headline == "11월 24일 (화) – 26일 (목) 도착 예정"

    @pytest.mark.parametrize("confidence,word", [(0.9, "Very likely"), (0.6, "Likely"), (0.2, "Estimated"),
                                                 (None, "Estimated")])
    def test_confidence_wording(self, confidence, word):
        assert self.estimate(predicted_confidence=confidence).certainty == word

    def test_delivered_in_korean(self):
        moment = dt.datetime(2026, 11, 23, 1, 42, tzinfo=dt.timezone.utc)
        headline = self.estimate("ko", status=st.DELIVERED, delivered_at=moment).headline
        assert headline == "11월 23일 (월) 10:42 배송 완료"

    def test_falls_back_to_carrier_date(self):
        estimate = self.estimate(predicted_window_start=None, predicted_window_end=None,
                                 carrier_delivery_date=dt.date(2026, 11, 25))
        assert estimate.headline == "Expected by Wed 25 Nov"


def test_page_in_korean_from_the_browser(client, order, in_transit):
    body = page(client, order, HTTP_ACCEPT_LANGUAGE="ko")
    assert 'lang="ko"' in body and "배송 중" in body


class TestSpeed:
    def queries_for(self, client, order, django_assert_max_num_queries, n_events):
        shipment = ShipmentFactory(order=order)
        base = timezone.now() - dt.timedelta(days=10)
        for i in range(n_events):
            TrackingEventFactory(shipment=shipment, occurred_at=base + dt.timedelta(minutes=i))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(order_link(order)).status_code == 200
        return len(ctx.captured_queries)

    def test_query_count_does_not_grow_with_events(self, client, merchant, django_assert_max_num_queries):
        from tests.factories import OrderFactory

        one = self.queries_for(client, OrderFactory(merchant=merchant), django_assert_max_num_queries, 1)
        many = self.queries_for(client, OrderFactory(merchant=merchant), django_assert_max_num_queries, 500)
        assert one == many
        with django_assert_max_num_queries(one):
            cache.clear()
            client.get(order_link(OrderFactory(merchant=merchant)))

    def test_cached_page_needs_one_query(self, client, order, in_transit, django_assert_num_queries):
        # One link for both visits: tokens carry a timestamp, and a link minted a second later is another URL.
        link = order_link(order)
        client.get(link)
        with django_assert_num_queries(0):  # version and page both come from the cache
            assert client.get(link).status_code == 200

    def test_version_changes_when_an_event_lands(self, order, in_transit):
        before = order_page_version(order_id=order.pk)
        add_events(in_transit, st.OUT_FOR_DELIVERY)
        after = order_page_version(order_id=order.pk)
        assert before != after

    def test_new_event_shows_up_through_the_cache(self, client, order, in_transit):
        assert "Arriving today" not in page(client, order)
        add_events(in_transit, st.OUT_FOR_DELIVERY)
        assert "Arriving today" in page(client, order)

    def test_cached_page_is_the_same_for_every_visitor(self, client, order, in_transit):
        """Nothing per visitor on the page (forms are guarded by the link token and the origin
        check), so no CSRF cookie is created and one cached copy serves everyone."""
        from django.test import Client

        link = order_link(order)
        first = client.get(link)
        second = Client().get(link)
        assert first.content == second.content
        assert "csrftoken" not in first.cookies and "csrftoken" not in second.cookies
        assert b"csrfmiddlewaretoken" not in first.content

    @override_settings(DOORSTEP_PAGE_CACHE_SECONDS=0)
    def test_cache_can_be_switched_off(self, client, order, in_transit):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        page(client, order)
        with CaptureQueriesContext(connection) as ctx:
            page(client, order)
        assert len(ctx.captured_queries) >= 5  # rendered from the database again


class TestBranding:
    def test_contrast_rejected_with_a_suggestion(self, merchant):
        from django.core.exceptions import ValidationError

        merchant.primary_color = "#ffcc00"
        with pytest.raises(ValidationError) as info:
            merchant.full_clean()
        assert "primary_color" in info.value.message_dict
        assert "#907300" in info.value.message_dict["primary_color"][0]

    def test_passing_colours_are_accepted(self, merchant):
        merchant.primary_color, merchant.accent_color = "#1a56db", "#0b875e"
        merchant.full_clean()

    def test_low_contrast_accent_rejected(self, merchant):
        from django.core.exceptions import ValidationError

        merchant.accent_color = "#bbf7d0"
        with pytest.raises(ValidationError) as info:
            merchant.full_clean()
        assert list(info.value.message_dict) == ["accent_color"]

    def test_stylesheet_uses_tokens_only_and_darkens_unvalidated_colours(self, client, merchant):
        type(merchant).objects.filter(pk=merchant.pk).update(primary_color="#ffcc00")  # bypasses clean()
        response = client.get("/brand/acme.css")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
        css = response.content.decode()
        assert "--brand: #907300;" in css and "ffcc00" not in css
        assert "max-age=86400" in response["Cache-Control"]
        assert client.get("/brand/nope.css").status_code == 404


def test_links_from_other_apps_through_the_extension_point(client, order, in_transit):
    def provider(order_, token):
        return [("Rate your delivery", f"/feedback/{token}/")]

    with extensions.ORDER_LINKS.registered(provider, key="test.rate"):
        body = page(client, order)
    assert "Rate your delivery" in body and "/feedback/" in body


def test_blocks_from_other_apps_are_rendered_and_escaped_text_is_refused(client, order, in_transit):
    def block(request, order_, token):
        return mark_safe('<section id="from-app">hi</section>')

    def unsafe(request, order_, token):
        return "<script>alert(1)</script>"

    with extensions.ORDER_PAGE_BLOCKS.registered(block, key="test.block"):
        assert '<section id="from-app">hi</section>' in page(client, order)
    with extensions.ORDER_PAGE_BLOCKS.registered(unsafe, key="test.unsafe"):
        body = page(client, order)
    assert "<script>alert(1)</script>" not in body and "Order #1001" in body


def test_a_broken_link_provider_does_not_break_the_page(client, order, in_transit):
    def broken(order_, token):
        raise RuntimeError("boom")

    with extensions.ORDER_LINKS.registered(broken, key="test.broken"):
        assert "Order #1001" in page(client, order)


class TestTimelineCollapse:
    """A phone shows the latest updates; older ones are one link away, without JavaScript."""

    def many_events(self, shipment, n):
        base = timezone.now() - dt.timedelta(days=5)
        for i in range(n):
            TrackingEventFactory(shipment=shipment, occurred_at=base + dt.timedelta(minutes=i),
                                 status=st.IN_TRANSIT, carrier_text=f"Scan number {i}")

    def test_latest_updates_shown_with_a_link_to_all(self, client, order, shipment):
        from tracking.page.selectors import TIMELINE_LATEST

        self.many_events(shipment, 30)
        body = page(client, order)
        assert "Scan number 29" in body and f"Scan number {30 - TIMELINE_LATEST}" in body
        assert f"Scan number {29 - TIMELINE_LATEST}" not in body and "Scan number 0<" not in body
        assert f'href="?all=1#parcel-{shipment.tracking_number}"' in body and "Show all 30 updates" in body

    def test_show_all_lists_every_update(self, client, order, shipment):
        self.many_events(shipment, 30)
        response = client.get(order_link(order) + "?all=1")
        body = response.content.decode()
        assert response.status_code == 200
        assert all(f"Scan number {i}<" in body for i in range(30))
        assert "Show all 30 updates" not in body

    def test_short_journey_has_no_link(self, client, order, in_transit):
        assert "?all=1" not in page(client, order)

    def test_proof_of_delivery_found_beyond_the_latest_updates(self, client, order, shipment):
        """A carrier may keep scanning after delivery (returns desk, depot); the proof stays."""
        delivered_at = timezone.now() - dt.timedelta(days=6)
        TrackingEventFactory(shipment=shipment, occurred_at=delivered_at, status=st.DELIVERED,
                             details={"signed_by": "M. Kim"})
        self.many_events(shipment, 10)
        assert "Signed for by M. Kim" in page(client, order)

    def test_query_count_same_for_all_and_latest(self, client, order, shipment, django_assert_num_queries):
        self.many_events(shipment, 40)
        with override_settings(DOORSTEP_PAGE_CACHE_SECONDS=0, DOORSTEP_RECS_PAGE_CACHE_SECONDS=0):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as latest:
                page(client, order)
            with django_assert_num_queries(len(latest.captured_queries)):
                client.get(order_link(order) + "?all=1")


class TestConditionalGet:
    """The cached page carries an ETag naming its version; a browser revalidating an unchanged page
    (Cache-Control: no-cache) gets a 304 with no body, and a changed one the new page."""

    def test_unchanged_page_answers_304(self, client, order, in_transit):
        link = order_link(order)
        first = client.get(link)
        assert first["ETag"] and "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
        again = client.get(link, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
        assert "private" in again["Cache-Control"]

    def test_new_event_gives_a_new_etag_and_the_new_page(self, client, order, in_transit):
        link = order_link(order)
        first = client.get(link)
        add_events(in_transit, st.OUT_FOR_DELIVERY)
        again = client.get(link, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 200 and "Arriving today" in again.content.decode()
        assert again["ETag"] != first["ETag"]

    def test_language_is_part_of_the_etag(self, client, order, in_transit):
        link = order_link(order)
        english = client.get(link, headers={"Accept-Language": "en"})
        korean = client.get(link, headers={"Accept-Language": "ko", "If-None-Match": english["ETag"]})
        assert korean.status_code == 200 and korean["ETag"] != english["ETag"]

    @override_settings(DOORSTEP_PAGE_CACHE_SECONDS=0)
    def test_uncached_page_has_no_etag(self, client, order, in_transit):
        assert not client.get(order_link(order)).has_header("ETag")
