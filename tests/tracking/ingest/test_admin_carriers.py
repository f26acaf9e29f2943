"""Admin: carrier accounts (secret shown once, rotation), webhook log (read-only, reprocess), re-track."""
from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import OrderFactory, ShipmentFactory
from tracking import crypto
from tracking.carriers.mock import all_scenario_events, make_tracking_number, webhook_payload
from tracking.models import CarrierAccount, InboundWebhook, StaffMembership

from tests.support.webhooks import SECRET, post, signed


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_creating_an_account_shows_the_secret_once(admin_client, merchant):
    response = admin_client.post(reverse("admin:tracking_carrieraccount_add"), {
        "merchant": merchant.pk, "carrier": "mock", "label": "", "is_active": "on",
        "poll_rate_limit_per_minute": 30, "options": "{}", "webhook_secret": "", "api_key": "k-123",
    })
    assert response.status_code == 302, response.content
    account = CarrierAccount.objects.get()
    secret = account.credentials().webhook_secret
    assert len(secret) >= 32 and secret not in account.webhook_secret_encrypted
    assert account.credentials().api_key == "k-123"
    shown = " ".join(texts(response))
    assert secret in shown and account.webhook_url in shown
    # Displayed on the next page, then never again: pages show the URL, not the secret or the API key.
    assert secret in admin_client.get(response.url).content.decode()
    page = admin_client.get(reverse("admin:tracking_carrieraccount_change", args=[account.pk])).content.decode()
    assert account.webhook_url in page
    assert secret not in page and "k-123" not in page
    assert secret not in admin_client.get(reverse("admin:tracking_carrieraccount_changelist")).content.decode()


def test_unknown_carrier_is_a_form_error(admin_client, merchant):
    response = admin_client.post(reverse("admin:tracking_carrieraccount_add"), {
        "merchant": merchant.pk, "carrier": "nope", "poll_rate_limit_per_minute": 30, "options": "{}",
    })
    assert response.status_code == 200
    assert CarrierAccount.objects.count() == 0


def test_rotate_action_shows_new_secret_and_keeps_old_valid(admin_client, account, client):
    response = admin_client.post(reverse("admin:tracking_carrieraccount_changelist"),
                                 {"action": "rotate_secret", "_selected_action": [account.pk]})
    account.refresh_from_db()
    new = account.credentials().webhook_secret
    assert new != SECRET and new in " ".join(texts(response))
    assert account.credentials().previous_webhook_secrets == (SECRET,)
    number = make_tracking_number("on_time", datetime(2026, 3, 2, tzinfo=UTC), 1)
    body = webhook_payload(number, all_scenario_events(number)[:1], "dlv_1")
    assert post(client, account, body, signed(body, SECRET)).status_code == 202


def test_webhook_log_is_read_only_and_reprocess_requeues_accepted(admin_client, account,
                                                                  django_capture_on_commit_callbacks):
    number = make_tracking_number("on_time", datetime(2026, 3, 2, tzinfo=UTC), 2)
    shipment = ShipmentFactory(order=OrderFactory(merchant=account.merchant, placed_at=datetime(2026, 3, 1, tzinfo=UTC)),
                               carrier="mock", tracking_number=number)
    events = all_scenario_events(number)
    accepted = InboundWebhook.objects.create(account=account, merchant=account.merchant, public_id=account.public_id,
                                             verdict="accepted", body=webhook_payload(number, events, "d1"))
    rejected = InboundWebhook.objects.create(account=account, merchant=account.merchant, public_id=account.public_id,
                                             verdict="rejected_signature", body=b"{}")
    change_url = reverse("admin:tracking_inboundwebhook_change", args=[accepted.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200 and b"tracking_number" in page.content
    assert b'name="_save"' not in page.content  # read-only
    assert admin_client.post(reverse("admin:tracking_inboundwebhook_delete", args=[accepted.pk]),
                             {"post": "yes"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:tracking_inboundwebhook_changelist"),
                                     {"action": "reprocess", "_selected_action": [accepted.pk, rejected.pk]})
    assert any("Queued 1 delivery" in t for t in texts(response))
    assert any("Skipped 1 rejected" in t for t in texts(response))
    assert shipment.events.count() == len(events)
    rejected.refresh_from_db()
    assert rejected.processed_at is None


def test_support_agents_can_reprocess(client, account, support_agent, django_capture_on_commit_callbacks):
    StaffMembership.objects.create(user=support_agent, merchant=account.merchant)
    client.force_login(support_agent)
    row = InboundWebhook.objects.create(account=account, merchant=account.merchant, public_id=account.public_id,
                                        verdict="accepted", body=b"{}")
    response = client.get(reverse("admin:tracking_inboundwebhook_changelist"))
    assert b'value="reprocess"' in response.content
    assert str(row.pk).encode() in response.content


def test_retrack_now_action_polls_through_a_task(admin_client, account, django_capture_on_commit_callbacks):
    number = make_tracking_number("on_time", datetime(2026, 3, 2, tzinfo=UTC), 3)
    shipment = ShipmentFactory(order=OrderFactory(merchant=account.merchant, placed_at=datetime(2026, 3, 1, tzinfo=UTC)),
                               carrier="mock", tracking_number=number)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(reverse("admin:tracking_shipment_changelist"),
                                     {"action": "retrack_now", "_selected_action": [shipment.pk]})
    assert "retrack_shipment" in repr(callbacks[0])  # enqueued after commit, not run in the request
    assert any("Asked the carrier about 1 parcel" in t for t in texts(response))
    shipment.refresh_from_db()
    assert shipment.status == "delivered"
    assert shipment.events.filter(source="poll").count() == len(all_scenario_events(number))


def test_encrypted_at_rest_with_a_configured_key(settings, merchant):
    from tracking.ingest.accounts import carrier_account_create

    settings.DOORSTEP_ENCRYPTION_KEYS = ["first-key-material-long-enough"]
    account = carrier_account_create(merchant=merchant, carrier="mock", webhook_secret="s3cret").account
    stored = CarrierAccount.objects.get(pk=account.pk)
    assert "s3cret" not in stored.webhook_secret_encrypted
    # A new key prepended keeps old values readable (rotation of the encryption key itself).
    settings.DOORSTEP_ENCRYPTION_KEYS = ["second-key-material", "first-key-material-long-enough"]
    assert stored.credentials().webhook_secret == "s3cret"
    settings.DOORSTEP_ENCRYPTION_KEYS = ["unrelated"]
    with pytest.raises(crypto.DecryptionError):
        stored.credentials()
