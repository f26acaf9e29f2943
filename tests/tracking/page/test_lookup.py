import re

import pytest
from django.test import override_settings

from tests.factories import MerchantFactory, OrderFactory

from tests.support.page import order_link

pytestmark = pytest.mark.django_db

LOOKUP = "/track/acme/"


def post(client, number, secret, url=LOOKUP, ip="10.0.0.1"):
    return client.post(url, {"number": number, "secret": secret}, REMOTE_ADDR=ip)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_email_match_redirects_to_signed_order_link(client, order):
    response = post(client, "#1001", "  Mina@Example.com ")
    assert response.status_code == 302
    assert response["Location"].startswith("/t/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "#1001" in page.content.decode()


def test_postal_code_match_and_number_without_hash(client, order):
    response = post(client, "1001", "045 24")
    assert response.status_code == 302


def test_wrong_email_and_unknown_order_get_the_same_answer(client, order):
    wrong = post(client, "#1001", "someone@example.com", ip="10.0.0.2")
    # The same inputs once no order has that number at all:
    order.number = "#9999"
    order.save()
    missing = post(client, "#1001", "someone@example.com", ip="10.0.0.4")
    assert wrong.status_code == missing.status_code == 404
    assert without_csrf(wrong.content.decode()) == without_csrf(missing.content.decode())
    assert sorted(wrong.headers) == sorted(missing.headers)
    assert "couldn" in wrong.content.decode()


def test_wrong_email_and_unknown_order_cost_the_same_queries(client, order):
    post(client, "#1001", "x@example.com", ip="10.9.0.1")  # warm up (merchant lookups, sessions…)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as wrong:
        post(client, "#1001", "x@example.com", ip="10.9.0.2")
    with CaptureQueriesContext(connection) as missing:
        post(client, "#4242", "x@example.com", ip="10.9.0.3")
    assert len(wrong.captured_queries) == len(missing.captured_queries)


def test_lookup_is_scoped_to_the_merchant(client, order):
    other = MerchantFactory(slug="other-shop")
    assert post(client, "#1001", "mina@example.com", url=f"/track/{other.slug}/").status_code == 404
    assert client.get("/track/no-such-shop/").status_code == 404


def test_global_lookup_lets_the_shopper_pick_between_two_stores(client, order):
    twin = OrderFactory(merchant=MerchantFactory(slug="second", name="Second Shop"), number="#1001",
                        customer__email="mina@example.com")
    response = post(client, "#1001", "mina@example.com", url="/track/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme" in body and "Second Shop" in body and body.count('href="/t/') == 2
    assert twin.pk


def test_single_merchant_install_brands_bare_track(client, merchant):
    body = client.get("/track/").content.decode()
    assert "Acme" in body and "/brand/acme.css" in body


@override_settings(DOORSTEP_LOOKUP_MAX_FAILURES=5)
def test_rate_limit_per_ip(client, order):
    for i in range(5):
        assert post(client, f"#{2000 + i}", "x@example.com", ip="10.1.1.1").status_code == 404
    blocked = post(client, "#1001", "mina@example.com", ip="10.1.1.1")  # even the right answer now waits
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert post(client, "#1001", "mina@example.com", ip="10.1.1.2").status_code == 302  # other IPs unaffected


@override_settings(DOORSTEP_LOOKUP_MAX_FAILURES=5)
def test_rate_limit_per_order_number_across_ips(client, order):
    for i in range(5):
        assert post(client, "#1001", f"guess{i}@example.com", ip=f"10.2.0.{i}").status_code == 404
    assert post(client, "#1001", "mina@example.com", ip="10.2.1.99").status_code == 429
    assert post(client, "#1002", "x@example.com", ip="10.2.1.99").status_code == 404  # other orders still work


def test_invalid_form_is_400_and_not_counted(client, order):
    response = client.post(LOOKUP, {"number": "", "secret": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_enormous_query_string_is_400(client, merchant):
    assert client.get(LOOKUP + "?q=" + "a" * 5000).status_code == 400
    assert client.get(LOOKUP + "?" + "&".join(f"k{i}=1" for i in range(50))).status_code == 400


def test_enormous_post_body_is_not_a_500(client, merchant):
    response = client.post(LOOKUP, {"number": "x" * 100_000, "secret": "y" * 100_000})
    assert response.status_code == 400


class TestTrackingNumberOnly:
    def test_shows_the_journey_without_personal_data(self, client, in_transit, order):
        response = client.get(LOOKUP, {"tracking_number": in_transit.tracking_number})
        assert response.status_code == 200
        body = response.content.decode()
        assert in_transit.tracking_number in body and "In transit" in body
        for secret in ("Mina Kim", "mina@example.com", "04524", "1 Test-ro", "Linen throw", "#1001"):
            assert secret not in body

    @pytest.mark.parametrize("number", ["<script>", "abc", "A" * 41, "DS'; DROP", "日本語日本語"])
    def test_malformed_numbers_are_400(self, client, merchant, number):
        response = client.get(LOOKUP, {"tracking_number": number})
        assert response.status_code == 400
        assert "<script>" not in response.content.decode()

    def test_unknown_number_is_404(self, client, merchant):
        assert client.get(LOOKUP, {"tracking_number": "NOPE123456"}).status_code == 404

    def test_scoped_to_the_merchant(self, client, in_transit):
        other = MerchantFactory(slug="elsewhere")
        url = f"/track/{other.slug}/"
        assert client.get(url, {"tracking_number": in_transit.tracking_number}).status_code == 404

    @override_settings(DOORSTEP_LOOKUP_MAX_FAILURES=3)
    def test_guessing_numbers_is_rate_limited(self, client, merchant):
        for i in range(3):
            assert client.get(LOOKUP, {"tracking_number": f"GUESS{i:05d}"}).status_code == 404
        assert client.get(LOOKUP, {"tracking_number": "GUESS99999"}).status_code == 429


class TestTokens:
    def test_tampered_token_is_404(self, client, order):
        link = order_link(order)
        tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
        assert client.get(tampered).status_code == 404
        assert client.get("/t/garbage/").status_code == 404
        assert client.get("/t/" + "x" * 2000 + "/").status_code == 404

    def test_token_for_another_purpose_is_404(self, client, order):
        from tracking.tokens import make_token

        assert client.get(f"/t/{make_token('unsubscribe', {'o': order.pk})}/").status_code == 404

    def test_token_for_a_deleted_order_is_404(self, client, order):
        link = order_link(order)
        order.shipments.all().delete()
        order.delete()
        assert client.get(link).status_code == 404

    def test_expired_token_asks_to_verify_again_with_the_number_filled_in(self, client, order, settings):
        import datetime as dt

        link = order_link(order)
        settings.DOORSTEP_LINK_MAX_AGE = dt.timedelta(seconds=-1)
        response = client.get(link)
        assert response.status_code == 200
        body = response.content.decode()
        assert "expired" in body and 'value="#1001"' in body and "Mina" not in body
        assert 'action="/track/acme/"' in body


def test_a_token_shows_exactly_its_own_order(client, order, in_transit):
    """Same order number at another merchant: each link shows its own order and parcels only."""
    other = OrderFactory(merchant=MerchantFactory(slug="z"), number="#1001")
    body = client.get(order_link(other)).content.decode()
    assert in_transit.tracking_number not in body
    assert in_transit.tracking_number in client.get(order_link(order)).content.decode()


@pytest.mark.parametrize("typed", ["th-14999", "TH14999", "#th 14999", " TH-14999 ", "th—14999".replace("—", "-")])
def test_order_numbers_are_found_whatever_case_hash_spaces_or_dashes_the_shopper_types(client, order, typed):
    order.number = "TH-14999"
    order.save()
    response = post(client, typed, "mina@example.com")
    assert response.status_code == 302, typed


def test_the_lookup_key_is_computed_by_the_database_for_every_write_path(order):
    from tracking.models import Order
    from tracking.models.orders import number_key

    Order.objects.filter(pk=order.pk).update(number="ab-12 #3")  # bypasses save(): still computed
    assert Order.objects.get(pk=order.pk).number_key == number_key("#AB 12-3") == "AB123"


def test_the_site_root_leads_to_the_lookup_and_the_favicon_exists(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/track/"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 302 and icon["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get("/track/").content.decode()
