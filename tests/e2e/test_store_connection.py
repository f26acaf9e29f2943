"""A merchant connects a Shopify store from the command line, the store (simulate_store, over real
HTTP, with a platform retry and an out-of-order update) sends an order and its fulfilment, and the
shopper finds that order on the tracking page — no API call by anyone."""
from io import StringIO

import pytest
from django.core.management import call_command

from tracking.models import Order, Shipment, StoreWebhookDelivery

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOP = "e2e-shop.myshopify.com"


def test_simulated_shopify_order_appears_on_the_tracking_page(live_server, page, artifacts_dir, merchant, settings):
    settings.DOORSTEP_SHOPIFY_CLIENT_SECRET = "e2e-app-secret"
    settings.DOORSTEP_BASE_URL = live_server.url
    out = StringIO()
    call_command("store_connection", "create", "--merchant", merchant.slug, "--platform", "shopify", "--shop", SHOP,
                 "--access-token", "shpat_e2e", stdout=out)
    public_id = out.getvalue().split()[1]
    assert f"{live_server.url}/webhooks/stores/{public_id}/" in out.getvalue()

    call_command("simulate_store", "--platform", "shopify", "--url", live_server.url, "--connection", public_id,
                 "--count", "1", "--duplicates", "1", "--out-of-order", "1", "--seed", "7", stdout=StringIO())

    order = Order.objects.get(merchant=merchant)
    assert order.number == "#1000" and order.source == "store"
    assert Shipment.objects.filter(order=order).count() >= 1
    assert StoreWebhookDelivery.objects.filter(verdict="duplicate").count() == 1
    assert not StoreWebhookDelivery.objects.filter(verdict="accepted", processed_at__isnull=True).exists()

    page.goto(f"{live_server.url}/track/{merchant.slug}/")
    page.get_by_label("Order number").fill("1000")
    page.get_by_label("Email or delivery postcode").fill("jiwoo.kim@example.com")
    page.get_by_role("button", name="Find my order").click()
    page.get_by_role("heading", name="Order #1000").wait_for()
    assert page.get_by_text("Organic tee").first.is_visible()
    page.screenshot(path=str(artifacts_dir / "store-order-tracking-page.png"), full_page=True)
