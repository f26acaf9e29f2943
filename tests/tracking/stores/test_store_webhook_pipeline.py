"""The store webhook pipeline around the endpoint: the sweeper re-enqueues what nobody processed
(only for live connections), drains process every waiting delivery once, a remembered connection
is forgotten the moment it is disconnected or its secret changes."""
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from tests.factories import StoreConnectionFactory, StoreWebhookDeliveryFactory
from tests.support.stores import shopify_headers
from tracking.models import StoreWebhookDelivery
from tracking.stores import webhooks

pytestmark = pytest.mark.django_db
SHOP = "pipeline-shop.myshopify.com"


def test_sweeper_reenqueues_old_unprocessed_deliveries_of_live_connections(monkeypatch):
    live = StoreWebhookDeliveryFactory()
    waiting = StoreWebhookDeliveryFactory(connection__state="needs_reauth")
    fresh = StoreWebhookDeliveryFactory()
    StoreWebhookDelivery.objects.filter(pk__in=[live.pk, waiting.pk]).update(
        received_at=timezone.now() - timedelta(hours=1))
    queued = []
    monkeypatch.setattr(webhooks, "enqueue_processing", lambda pk: queued.append(pk) or True)
    assert webhooks.store_webhooks_sweep() == 1
    assert queued == [live.pk] and fresh.pk not in queued


def test_drain_processes_each_waiting_delivery_once():
    rows = [StoreWebhookDeliveryFactory() for _ in range(3)]
    processed, failed, more = webhooks.store_webhooks_drain()
    assert (processed, failed, more) == (3, 0, False)
    assert StoreWebhookDelivery.objects.filter(pk__in=[r.pk for r in rows], processed_at__isnull=False).count() == 3
    assert webhooks.store_webhooks_drain() == (0, 0, False)


def test_a_disconnect_is_seen_by_the_next_delivery(client, settings):
    from tracking.stores.connections import connection_disconnect

    settings.DOORSTEP_SHOPIFY_CLIENT_SECRET = "pipeline-secret"
    connection = StoreConnectionFactory(shop=SHOP)
    body = b'{"id": 1}'

    def post():
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(connection.webhook_path, data=body, content_type="application/json",
                               **shopify_headers(body, "shop/update", shop=SHOP, secret="pipeline-secret"))

    assert post().status_code == 200  # remembered now
    with TestCase.captureOnCommitCallbacks(execute=True):
        connection_disconnect(connection=connection)
    assert post().status_code == 404
