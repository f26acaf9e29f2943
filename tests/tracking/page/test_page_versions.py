"""The order page's cache version lives in the cache, so a cached view needs no SQL; every write the
page shows moves it, and a cold cache falls back to the rows."""
import pytest
from django.core.cache import cache

from tests.factories import ShipmentFactory
from tracking import memo
from tracking.memo import memos_clear
from tracking.models import NotificationCategory, NotificationOptOut
from tracking.page import rendering, versions
from tracking.page.versions import page_version

from tests.support.page import add_events, order_link
from tracking.carriers import status as st

pytestmark = pytest.mark.django_db


def test_warm_version_needs_no_query(order, in_transit, django_assert_num_queries):
    first = page_version(order_id=order.pk)
    with django_assert_num_queries(0):
        assert page_version(order_id=order.pk) == first


def test_cold_version_is_read_from_the_rows_in_one_query(order, in_transit, django_assert_num_queries):
    cache.clear()  # the fixtures' writes filled it
    memos_clear()
    with django_assert_num_queries(1):
        version, tz_name = page_version(order_id=order.pk)
    assert tz_name == order.merchant.timezone
    cache.clear()
    memos_clear()
    assert page_version(order_id=order.pk) == (version, tz_name)  # same rows, same version: pages survive


def test_unknown_order_has_no_version():
    assert page_version(order_id=987654) is None


def test_new_event_bumps_the_version(order, in_transit):
    before = page_version(order_id=order.pk)
    add_events(in_transit, st.OUT_FOR_DELIVERY)
    assert page_version(order_id=order.pk) != before


def test_version_bumped_again_after_commit(order, in_transit, django_capture_on_commit_callbacks):
    """A reader between the write and its commit may cache the old rows under the first bump; the
    bump after commit retires that page."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        add_events(in_transit, st.OUT_FOR_DELIVERY)
    during = page_version(order_id=order.pk)
    for callback in callbacks:
        callback()
    assert page_version(order_id=order.pk) != during


def test_merchant_branding_bumps_its_orders(order, in_transit):
    before = page_version(order_id=order.pk)
    order.merchant.support_phone = "+82 2 765 4321"
    order.merchant.save()
    assert page_version(order_id=order.pk) != before


def test_merchant_time_zone_travels_with_the_version(order, in_transit):
    page_version(order_id=order.pk)
    order.merchant.timezone = "America/New_York"
    order.merchant.save()
    assert page_version(order_id=order.pk)[1] == "America/New_York"


def test_email_opt_out_bumps_the_shoppers_orders(order, in_transit):
    before = page_version(order_id=order.pk)
    NotificationOptOut.objects.create(customer=order.customer, category=NotificationCategory.SHIPPING)
    assert page_version(order_id=order.pk) != before


def test_deleted_event_bumps_the_version(order, in_transit):
    before = page_version(order_id=order.pk)
    in_transit.events.first().delete()
    assert page_version(order_id=order.pk) != before


def test_other_orders_keep_their_version(order, in_transit):
    from tests.factories import OrderFactory

    other = OrderFactory(merchant=order.merchant, number="#2001")  # the fixture order is #1001
    ShipmentFactory(order=other)
    before = page_version(order_id=other.pk)
    add_events(in_transit, st.OUT_FOR_DELIVERY)
    assert page_version(order_id=other.pk) == before


def test_expired_version_falls_back_to_the_rows(client, order, in_transit):
    """A write that bypasses model signals still shows once the version key expires."""
    from django.utils import timezone

    from tracking.models import Shipment

    link = order_link(order)  # one link: tokens carry a timestamp, a later one is another URL
    assert "Arriving today" not in client.get(link).content.decode()
    Shipment.objects.filter(pk=in_transit.pk).update(status=st.OUT_FOR_DELIVERY, updated_at=timezone.now())
    assert "Arriving today" not in client.get(link).content.decode()  # still the cached page
    cache.delete(versions.ORDER_KEY.format(order.pk))  # what expiry does
    memos_clear()  # ... once this process's short hold on the version has passed too
    assert "Arriving today" in client.get(link).content.decode()


class TestLocalHold:
    """Each process holds a version it read for DOORSTEP_PAGE_VERSION_LOCAL_SECONDS."""

    @pytest.fixture
    def clock(self, monkeypatch):
        now = [1000.0]
        monkeypatch.setattr(memo.time, "monotonic", lambda: now[0])
        return now

    def test_held_version_costs_no_cache_round_trip(self, order, in_transit, clock):
        from unittest import mock

        first = page_version(order_id=order.pk)
        with mock.patch.object(versions.cache, "get_many") as get_many, mock.patch.object(versions.cache, "get") as get:
            assert page_version(order_id=order.pk) == first
        assert not get_many.called and not get.called

    def test_another_process_bump_shows_once_the_hold_ends(self, order, in_transit, clock, settings):
        settings.DOORSTEP_PAGE_VERSION_LOCAL_SECONDS = 1.0
        first = page_version(order_id=order.pk)
        cache.set(versions.ORDER_KEY.format(order.pk), f"elsewhere|{order.merchant_id}")  # a worker's bump
        clock[0] += 0.5
        assert page_version(order_id=order.pk) == first
        clock[0] += 0.6
        assert page_version(order_id=order.pk)[0].startswith("elsewhere.")

    def test_this_process_bump_shows_at_once(self, order, in_transit, clock):
        first = page_version(order_id=order.pk)
        add_events(in_transit, st.OUT_FOR_DELIVERY)
        assert page_version(order_id=order.pk) != first

    def test_branding_edit_drops_every_held_version(self, order, in_transit, clock):
        first = page_version(order_id=order.pk)
        order.merchant.primary_color = "#123456"
        order.merchant.save()
        assert page_version(order_id=order.pk) != first

    def test_hold_can_be_switched_off(self, order, in_transit, clock, settings):
        settings.DOORSTEP_PAGE_VERSION_LOCAL_SECONDS = 0
        page_version(order_id=order.pk)
        cache.set(versions.ORDER_KEY.format(order.pk), f"elsewhere|{order.merchant_id}")
        assert page_version(order_id=order.pk)[0].startswith("elsewhere.")


def test_cached_view_is_served_from_this_process_after_one_cache_read(client, order, in_transit,
                                                                       django_assert_num_queries):
    from unittest import mock

    link = order_link(order)
    client.get(link)
    with mock.patch.object(rendering.cache, "get", wraps=rendering.cache.get) as page_get, \
            django_assert_num_queries(0):
        assert client.get(link).status_code == 200
    asked = [call.args[0] for call in page_get.call_args_list]
    assert not [key for key in asked if key.startswith("orderpage:v3:")]  # the page came from this process


def test_cached_view_with_a_session_needs_no_query(client, order, in_transit, django_assert_num_queries):
    """A shopper who has a session (e.g. switched language before) still costs no SQL: the messages
    check does not read the session."""
    session = client.session
    session["seen"] = True
    session.save()
    link = order_link(order)
    client.get(link)
    with django_assert_num_queries(0):
        response = client.get(link)
    assert response.status_code == 200 and b"Order #1001" in response.content
