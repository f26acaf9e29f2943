"""Backfill (store_sync) against recorded Shopify GraphQL pages through `responses`: pages land
through the sync services, the cursor is saved after each page and a second run resumes; a revoked
token marks the connection "needs re-authorisation" and loses nothing; a 429 storm stops cleanly.
Plus the store_connection command."""
import json
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command

from tests.factories import StoreConnectionFactory
from tests.support.fixtures import request_json, store_json
from tracking.models import Order, StoreConnection, StoreObjectLink
from tracking.stores.connections import store_sync_run

SHOP = "doorstep-test.myshopify.com"
GRAPHQL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def shopify(merchant):
    return StoreConnectionFactory(merchant=merchant, shop=SHOP)


@responses.activate
def test_backfill_pages_through_the_services_and_finishes(shopify, sleeper):
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_orders_page1.json"))
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_orders_page2.json"))
    report = store_sync_run(connection=shopify, sleep=sleeper)
    assert report.done and report.pages == 2 and report.errors == 0
    assert Order.objects.filter(merchant=shopify.merchant).count() == report.orders > 0
    shopify.refresh_from_db()
    assert shopify.sync_cursor == "" and shopify.last_sync_at is not None
    # Run again: the same orders are recognised, nothing is created twice.
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_orders_page1.json"))
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_orders_page2.json"))
    again = store_sync_run(connection=shopify, sleep=sleeper, restart=True)
    assert again.created == 0 and Order.objects.count() == report.orders


@responses.activate
def test_revoked_token_mid_backfill_needs_reauth_and_resumes_from_the_saved_page(shopify, sleeper):
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_orders_page1.json"))
    responses.post(GRAPHQL, json=store_json("shopify", "error_401.json"), status=401)
    report = store_sync_run(connection=shopify, sleep=sleeper)
    assert not report.done and report.pages == 1 and "AuthError" in report.error
    shopify.refresh_from_db()
    assert shopify.state == StoreConnection.State.NEEDS_REAUTH and shopify.sync_cursor
    first_page_orders = Order.objects.count()
    assert first_page_orders > 0
    # The merchant re-authorises; the next run starts at page 2.
    StoreConnection.objects.filter(pk=shopify.pk).update(state=StoreConnection.State.ACTIVE)
    responses.calls.reset()
    responses.replace(responses.POST, GRAPHQL, json=store_json("shopify", "graphql_orders_page2.json"))
    resumed = store_sync_run(connection=shopify, sleep=sleeper)
    assert resumed.done and resumed.pages == 1
    assert request_json(responses.calls[0])["variables"]["after"] is not None
    assert Order.objects.count() > first_page_orders


@responses.activate
def test_a_429_storm_stops_cleanly_and_keeps_the_cursor(shopify, sleeper):
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_orders_page1.json"))
    for _ in range(10):
        responses.post(GRAPHQL, json=store_json("shopify", "error_429.json"), status=429, headers={"Retry-After": "1"})
    report = store_sync_run(connection=shopify, sleep=sleeper)
    assert "RateLimited" in report.error and report.pages == 1
    shopify.refresh_from_db()
    assert shopify.state == StoreConnection.State.ACTIVE and shopify.sync_cursor and shopify.last_error
    assert sleeper.waits  # Retry-After was honoured before giving up


@responses.activate
def test_store_sync_command_shows_progress_and_resumes(shopify):
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_orders_page1.json"))
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_orders_page2.json"))
    out = StringIO()
    call_command("store_sync", "--connection", shopify.public_id, "--max-pages", "1", stdout=out)
    assert "paused" in out.getvalue() and "1 page(s)" in out.getvalue()
    out = StringIO()
    call_command("store_sync", "--connection", shopify.public_id, stdout=out)
    assert "resuming from the saved cursor" in out.getvalue() and "done" in out.getvalue()


def test_store_connection_create_prints_the_url_and_secret(merchant):
    out = StringIO()
    call_command("store_connection", "create", "--merchant", merchant.slug, "--platform", "woocommerce",
                 "--shop", "https://shop.example/", "--consumer-key", "ck_1", "--consumer-secret", "cs_1", stdout=out)
    connection = StoreConnection.objects.get()
    text = out.getvalue()
    assert f"/webhooks/stores/{connection.public_id}/" in text
    secret = text.split("webhook secret: ")[1].split()[0]
    assert connection.credentials().webhook_secret == secret and connection.shop == "https://shop.example"
    assert "ck_1" not in connection.consumer_key_encrypted  # encrypted at rest
    out = StringIO()
    call_command("store_connection", "list", stdout=out)
    assert connection.public_id in out.getvalue()
    call_command("store_connection", "disconnect", connection.public_id, stdout=StringIO())
    connection.refresh_from_db()
    assert connection.state == "disconnected" and connection.consumer_key_encrypted == ""


def test_store_connection_refuses_a_shop_that_is_not_myshopify(merchant):
    with pytest.raises(CommandError, match="shop"):
        call_command("store_connection", "create", "--merchant", merchant.slug, "--platform", "shopify",
                     "--shop", "shop.evil.com", stdout=StringIO())


def test_one_store_cannot_belong_to_two_merchants(merchant, other_merchant):
    call_command("store_connection", "create", "--merchant", merchant.slug, "--platform", "shopify",
                 "--shop", SHOP, "--access-token", "t", stdout=StringIO())
    with pytest.raises(CommandError, match="another merchant"):
        call_command("store_connection", "create", "--merchant", other_merchant.slug, "--platform", "shopify",
                     "--shop", SHOP, "--access-token", "t", stdout=StringIO())


@responses.activate
def test_partial_webhook_for_an_unknown_order_waits_while_the_token_is_revoked(client, settings, shopify):
    """A fulfilment for an order Doorstep never saw needs the order from the API: with a revoked token
    the delivery is kept unprocessed and the connection asks for re-authorisation."""
    from django.test import TestCase

    from tests.support.fixtures import store_bytes
    from tests.support.stores import SHOPIFY_SECRET, shopify_headers
    from tracking.models import StoreWebhookDelivery

    settings.DOORSTEP_SHOPIFY_CLIENT_SECRET = SHOPIFY_SECRET
    responses.post(GRAPHQL, json=store_json("shopify", "error_401.json"), status=401)
    body = store_bytes("shopify", "webhook_fulfillments_create.json")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(shopify.webhook_path, data=body, content_type="application/json",
                               **shopify_headers(body, "fulfillments/create", shop=SHOP))
    assert response.status_code == 202
    row = StoreWebhookDelivery.objects.get()
    assert row.processed_at is None and row.processing_error.startswith("waiting")
    shopify.refresh_from_db()
    assert shopify.state == StoreConnection.State.NEEDS_REAUTH
    assert not StoreObjectLink.objects.filter(kind="shipment").exists()
    assert json.loads(bytes(row.body))  # what was received is kept
