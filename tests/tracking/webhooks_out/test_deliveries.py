import json
import socket
from datetime import timedelta

import pytest
import requests
import responses
from django.contrib.admin.sites import site
from django.utils import timezone
from standardwebhooks import Webhook

from tests.factories import ShipmentFactory
from tracking.carriers import status as st
from tracking.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tracking.services.shipments import NewEvent, shipment_add_events
from tracking.webhooks_out import signing
from tracking.webhooks_out.services import (retry_delay, webhook_deliveries_sweep, webhook_endpoint_create,
                                            webhook_event_emit)
from tracking.webhooks_out.ssrf import UnsafeURL, vet_url

pytestmark = pytest.mark.django_db

PUBLIC_IP = "93.184.215.14"
HOOK_URL = "https://hooks.example.com/doorstep"


@pytest.fixture
def dns(monkeypatch):
    """Fake resolver: host -> list of addresses (public by default)."""
    table = {"hooks.example.com": [PUBLIC_IP]}

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            addresses = table[host]
        except KeyError:
            raise socket.gaierror(socket.EAI_NONAME, "not found") from None
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.fixture
def endpoint(merchant, dns):
    return webhook_endpoint_create(merchant=merchant, url=HOOK_URL, event_types=["shipment.delivered"])


# --- signing ------------------------------------------------------------------------------------------
def test_signature_verifies_with_the_reference_implementation():
    secret = signing.secret_generate()
    assert secret.startswith("whsec_")
    body = json.dumps({"type": "shipment.delivered", "data": {"x": "é"}}, ensure_ascii=False)
    timestamp = int(timezone.now().timestamp())
    headers = signing.signed_headers(secret=secret, msg_id="msg_1", timestamp=timestamp, body=body)
    assert Webhook(secret).verify(body, headers)["data"] == {"x": "é"}
    with pytest.raises(Exception):
        Webhook(signing.secret_generate()).verify(body, headers)
    with pytest.raises(Exception):
        Webhook(secret).verify(body + " ", headers)


# --- SSRF ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", [
    "127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "fd00:ec2::254",
    "100.64.0.1", "224.0.0.1", "0.0.0.0", "240.0.0.1", "fe80::1", "::ffff:10.0.0.1", "198.18.0.1",
])
def test_non_public_addresses_are_refused(dns, address):
    dns["evil.example.com"] = [PUBLIC_IP, address]  # one bad answer is enough
    with pytest.raises(UnsafeURL):
        vet_url("https://evil.example.com/hook")


def test_url_rules(dns, settings):
    assert [str(ip) for ip in vet_url(HOOK_URL)] == [PUBLIC_IP]
    for url in ["http://hooks.example.com/x", "ftp://hooks.example.com/", "https://user:pw@hooks.example.com/",
                "https://unknown.example.com/", "https:///nohost"]:
        with pytest.raises(UnsafeURL):
            vet_url(url)
    settings.DOORSTEP_WEBHOOKS_ALLOW_HTTP = True
    vet_url("http://hooks.example.com/x")
    dns["localhost"] = ["127.0.0.1"]
    with pytest.raises(UnsafeURL):
        vet_url("http://localhost/x")
    settings.DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK = True
    vet_url("http://localhost/x")
    dns["intranet"] = ["10.0.0.1"]
    with pytest.raises(UnsafeURL):
        vet_url("http://intranet/x")  # loopback allowance never opens private ranges


def test_refused_at_save_through_the_api(api, dns):
    dns["metadata.example.com"] = ["169.254.169.254"]
    response = api.post("/api/v1/webhook-endpoints/", {"url": "https://metadata.example.com/"}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"
    assert not WebhookEndpoint.objects.exists()


@responses.activate
def test_refused_at_send_time_after_dns_changes(endpoint, dns, django_capture_on_commit_callbacks):
    dns["hooks.example.com"] = ["10.0.0.7"]  # rebinding after the endpoint was saved
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={"a": 1})
    delivery = WebhookDelivery.objects.get()
    assert len(responses.calls) == 0
    assert delivery.attempt_count == 8 and delivery.status == "failed"
    assert all(a.error.startswith("Refused") for a in delivery.attempts.all())


# --- endpoints API ------------------------------------------------------------------------------------
def test_endpoint_api_secret_shown_once(api, dns):
    response = api.post("/api/v1/webhook-endpoints/", {"url": HOOK_URL, "event_types": ["shipment.delivered"]},
                        format="json")
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert secret.startswith("whsec_")
    endpoint_id = response.json()["id"]
    listed = api.get("/api/v1/webhook-endpoints/").json()["results"]
    assert [e["id"] for e in listed] == [endpoint_id] and "secret" not in listed[0]
    assert "secret" not in api.get(f"/api/v1/webhook-endpoints/{endpoint_id}/").json()
    assert api.delete(f"/api/v1/webhook-endpoints/{endpoint_id}/").status_code == 204
    assert api.get("/api/v1/webhook-endpoints/").json()["results"] == []
    assert api.get(f"/api/v1/webhook-endpoints/{endpoint_id}/").status_code == 404
    assert WebhookEndpoint.objects.get().is_active is False  # kept for the delivery log


def test_endpoint_api_rejects_unknown_event_type(api, dns):
    response = api.post("/api/v1/webhook-endpoints/", {"url": HOOK_URL, "event_types": ["shipment.teleported"]},
                        format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "event_types.0"


# --- emission and delivery ----------------------------------------------------------------------------
def test_emit_only_to_subscribed_active_endpoints_of_the_merchant(endpoint, other_merchant, dns):
    webhook_endpoint_create(merchant=other_merchant, url=HOOK_URL)
    everything = webhook_endpoint_create(merchant=endpoint.merchant, url=HOOK_URL)
    deliveries = webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.status_changed", payload={})
    assert [d.endpoint for d in deliveries] == [everything]
    deliveries = webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={})
    assert {d.endpoint for d in deliveries} == {everything, endpoint}
    assert len({d.event_id for d in deliveries}) == 1
    with pytest.raises(ValueError):
        webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.teleported", payload={})


def test_delivery_rows_are_written_before_sending_and_not_on_rollback(endpoint):
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={})
            assert WebhookDelivery.objects.count() == 1
            raise RuntimeError("the fact did not happen")
    assert not WebhookDelivery.objects.exists()


@responses.activate
def test_retries_with_backoff_until_success_and_logs_every_attempt(endpoint, django_capture_on_commit_callbacks):
    responses.post(HOOK_URL, status=500, body="boom")
    responses.post(HOOK_URL, body=requests.ConnectionError("reset"))
    responses.post(HOOK_URL, status=200, body="ok")
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={"n": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempt_count == 3 and delivery.last_status_code == 200
    attempts = list(delivery.attempts.order_by("number"))
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, None), (3, 200)]
    assert attempts[0].response_excerpt == "boom" and "reset" in attempts[1].error
    # Same id and bytes on every try, each signed validly.
    ids = {call.request.headers["webhook-id"] for call in responses.calls}
    assert ids == {delivery.event_id}
    for call in responses.calls:
        body = call.request.body.decode()
        assert body == delivery.body
        assert Webhook(endpoint.secret).verify(body, dict(call.request.headers))["data"] == {"n": 1}


@responses.activate
def test_gives_up_after_max_attempts(endpoint, settings, django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOKS_MAX_ATTEMPTS = 4
    responses.post(HOOK_URL, status=503)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempt_count == 4 and len(responses.calls) == 4


@responses.activate
def test_redirects_are_not_followed(endpoint, django_capture_on_commit_callbacks, settings):
    settings.DOORSTEP_WEBHOOKS_MAX_ATTEMPTS = 1
    responses.post(HOOK_URL, status=307, headers={"Location": "http://169.254.169.254/latest"})
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={})
    assert len(responses.calls) == 1
    assert WebhookDelivery.objects.get().status == "failed"


def test_backoff_is_exponential_bounded_and_jittered(settings):
    settings.DOORSTEP_WEBHOOKS_RETRY_BASE_SECONDS = 30
    settings.DOORSTEP_WEBHOOKS_RETRY_CAP_SECONDS = 3600
    assert 15 <= retry_delay(1) <= 30
    assert 120 <= retry_delay(4) <= 240
    assert all(1800 <= retry_delay(20) <= 3600 for _ in range(20))
    assert len({retry_delay(3) for _ in range(20)}) > 1


def test_stale_or_duplicate_task_does_nothing(endpoint):
    from tracking.webhooks_out.services import webhook_delivery_attempt

    delivery = webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={})[0]
    assert webhook_delivery_attempt(delivery_id=delivery.pk, attempt_number=3) is None
    assert not WebhookAttempt.objects.exists()


@responses.activate
def test_sweeper_re_enqueues_overdue_deliveries(endpoint, django_capture_on_commit_callbacks):
    responses.post(HOOK_URL, status=204)
    delivery = webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={})[0]
    # The commit hook never ran (the broker was down): the row is still pending.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempt_count == 1


@responses.activate
def test_admin_resend_action(endpoint, admin_client, django_capture_on_commit_callbacks, settings):
    settings.DOORSTEP_WEBHOOKS_MAX_ATTEMPTS = 1
    responses.post(HOOK_URL, status=500)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(merchant=endpoint.merchant, event_type="shipment.delivered", payload={})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    responses.replace(responses.POST, HOOK_URL, status=200)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/tracking/webhookdelivery/",
                                     {"action": "resend", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert list(delivery.attempts.values_list("number", "trigger", "status_code")) == [
        (1, "automatic", 500), (2, "manual", 200)]
    page = admin_client.get(f"/admin/tracking/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and b"manual" in page.content.lower()
    assert site.is_registered(WebhookDelivery)


# --- from tracking's signals ----------------------------------------------------------------------------
@responses.activate
def test_status_change_and_delivery_emit_signed_events(merchant, dns, django_capture_on_commit_callbacks):
    responses.post(HOOK_URL, status=200)
    endpoint = webhook_endpoint_create(merchant=merchant, url=HOOK_URL,
                                       event_types=["shipment.status_changed", "shipment.delivered"])
    shipment = ShipmentFactory(order__merchant=merchant)
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=shipment, source="webhook", events=[
            NewEvent(occurred_at=timezone.now(), status=st.DELIVERED, carrier_event_id="e1")])
    types = sorted(WebhookDelivery.objects.values_list("event_type", flat=True))
    assert types == ["shipment.delivered", "shipment.status_changed"]
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 2
    payloads = {json.loads(c.request.body)["type"]: Webhook(endpoint.secret).verify(
        c.request.body.decode(), dict(c.request.headers)) for c in responses.calls}
    changed = payloads["shipment.status_changed"]["data"]
    assert changed["old_status"] == "pending" and changed["new_status"] == "delivered"
    assert changed["shipment"]["tracking_number"] == shipment.tracking_number
    assert payloads["shipment.delivered"]["data"]["shipment"]["status"] == "delivered"
