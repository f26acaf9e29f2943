"""Signed click redirects: log, UTM tags, own store only, 404 for tampered or expired links."""
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import override_settings

from tracking.models import RecommendationClick, RecommendationImpression
from tracking.recommendations.links import SALT, click_url, store_destination
from tracking.recommendations.services import recommendation_impression_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(shop):
    tent = shop.product("Tent")
    stakes = shop.product("Stakes")
    customer = shop.customer(email="kim@example.com")
    order = shop.buy(customer, "Tent")
    impression = recommendation_impression_record(
        impression_id=uuid.uuid4(), merchant_id=shop.merchant.pk, order_id=order.pk, customer_id=customer.pk,
        placement="tracking", product_ids=[stakes.pk])
    url = click_url(merchant_id=shop.merchant.pk, product_id=stakes.pk, placement="tracking",
                    impression_id=impression.id)
    return shop, tent, stakes, customer, order, impression, url


def test_click_logs_and_redirects_to_the_product_with_utm_tags(client, setup):
    shop, tent, stakes, customer, order, impression, url = setup
    response = client.get(url)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == stakes.url
    assert parse_qs(target.query) == {"utm_source": ["doorstep"], "utm_medium": ["tracking"],
                                      "utm_campaign": ["recommendations"]}
    click = RecommendationClick.objects.get()
    assert (click.product_id, click.customer_id, click.impression_id, click.placement) == (
        stakes.pk, customer.pk, impression.id, "tracking")


def test_link_carries_no_personal_data(setup):
    shop, tent, stakes, customer, order, impression, url = setup
    token = url.strip("/").split("/")[-1]
    payload = signing.TimestampSigner(salt=SALT).unsign_object(token)
    assert payload == [shop.merchant.pk, stakes.pk, "t", impression.id.hex]
    for secret in [customer.email, order.number]:
        assert secret not in url


def test_tampered_link_is_a_friendly_404(client, setup):
    *_, url = setup
    token = url.strip("/").split("/")[-1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(f"/r/{forged}/")
    assert response.status_code == 404
    assert b"This link has expired" in response.content
    assert client.get("/r/not-a-token/").status_code == 404
    assert not RecommendationClick.objects.exists()


def test_link_for_another_merchants_product_is_not_followed_to_it(client, setup):
    shop, tent, stakes, customer, order, impression, url = setup
    from tests.support.shops import Shop
    other = Shop()
    foreign = other.product("Kayak")
    link = click_url(merchant_id=shop.merchant.pk, product_id=foreign.pk, placement="tracking",
                     impression_id=impression.id)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith(shop.merchant.store_url + "/?")


def test_expired_link_is_404(client, setup):
    *_, url = setup
    with override_settings(DOORSTEP_RECS_LINK_MAX_AGE=timedelta(seconds=-1)):
        assert client.get(url).status_code == 404


def test_product_url_off_the_store_host_goes_to_the_store_home(client, setup):
    shop, tent, stakes, customer, order, impression, url = setup
    for bad in ["https://evil.example.net/p", "https://shop-0.example.com.evil.net/x", "javascript:alert(1)",
                f"https://evil.example.net\\@{urlsplit(shop.merchant.store_url).netloc}/",
                f"https://{urlsplit(shop.merchant.store_url).netloc}@evil.example.net/"]:
        stakes.url = bad
        stakes.save(update_fields=["url"])
        location = client.get(url)["Location"]
        assert urlsplit(location).netloc == urlsplit(shop.merchant.store_url).netloc, bad
        assert urlsplit(location).path == "/"


def test_no_store_url_means_404(client, setup):
    shop, *_, url = setup
    shop.merchant.store_url = ""
    shop.merchant.save()
    assert client.get(url).status_code == 404


def test_destination_keeps_query_and_replaces_old_utm_tags():
    got = store_destination(product_url="https://www.shop.example/p/1?variant=3&utm_source=old#top",
                            store_url="https://shop.example", placement="exchange")
    parts = urlsplit(got)
    assert parts.netloc == "www.shop.example" and parts.fragment == "top"
    assert parse_qs(parts.query) == {"variant": ["3"], "utm_source": ["doorstep"], "utm_medium": ["exchange"],
                                     "utm_campaign": ["recommendations"]}


def test_click_before_its_impression_is_written_gets_the_customer_later(client, shop):
    stakes = shop.product("Stakes")
    customer = shop.customer()
    order = shop.buy(customer, "Stakes")
    impression_id = uuid.uuid4()
    url = click_url(merchant_id=shop.merchant.pk, product_id=stakes.pk, placement="tracking",
                    impression_id=impression_id)
    assert client.get(url).status_code == 302
    assert RecommendationClick.objects.get().customer_id is None
    recommendation_impression_record(impression_id=impression_id, merchant_id=shop.merchant.pk, order_id=order.pk,
                                     customer_id=customer.pk, placement="tracking", product_ids=[stakes.pk])
    assert RecommendationClick.objects.get().customer_id == customer.pk
    # retried task: still one impression
    recommendation_impression_record(impression_id=impression_id, merchant_id=shop.merchant.pk, order_id=order.pk,
                                     customer_id=customer.pk, placement="tracking", product_ids=[stakes.pk])
    assert RecommendationImpression.objects.count() == 1


def test_post_is_refused(client, setup):
    *_, url = setup
    assert client.post(url).status_code == 405
