"""POST /webhooks/carriers/<public_id>/: verdicts, status codes and what gets written."""
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ShipmentFactory
from tracking.carriers.mock import all_scenario_events, make_tracking_number
from tracking.models import InboundWebhook, PendingEvent, TrackingEvent
from tracking.ingest.accounts import carrier_account_rotate_secret
from tracking.ingest.webhooks import webhook_receive

from tests.support.webhooks import SECRET, SHIPPED, mock_body, post, signed

V = InboundWebhook.Verdict


def only_the_log_row(verdict):
    """A rejected delivery leaves its log row and nothing else."""
    assert InboundWebhook.objects.count() == 1
    row = InboundWebhook.objects.get()
    assert row.verdict == verdict
    assert row.processed_at is None
    assert TrackingEvent.objects.count() == 0
    assert PendingEvent.objects.count() == 0
    return row


def test_good_signature_is_accepted_stored_raw_and_processed(client, account, django_capture_on_commit_callbacks):
    body = mock_body()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(client, account, body, signed(body))
    assert response.status_code == 202
    assert response.json() == {"status": "accepted"}
    assert len(callbacks) >= 1  # processing is enqueued only after the log row commits
    row = InboundWebhook.objects.get()
    assert row.verdict == V.ACCEPTED
    assert bytes(row.body) == body  # the raw bytes, exactly as signed
    assert row.provider_event_id == "dlv_1"
    assert row.account == account and row.merchant_id == account.merchant_id
    assert row.processed_at is not None
    assert row.events_orphaned == 2  # no shipment yet: the events wait as orphans


def test_wrong_signature_is_401_and_only_logged(client, account):
    body = mock_body()
    response = post(client, account, body, signed(body, secret="not-the-secret"))
    assert response.status_code == 401
    assert "signature" in response.json()["error"]
    row = only_the_log_row(V.REJECTED_SIGNATURE)
    assert bytes(row.body) == body


def test_body_tampered_after_signing_is_401(client, account):
    body = mock_body()
    headers = signed(body)
    response = post(client, account, body.replace(b"dlv_1", b"dlv_2"), headers)
    assert response.status_code == 401
    only_the_log_row(V.REJECTED_SIGNATURE)


def test_missing_signature_is_401(client, account):
    response = post(client, account, mock_body())
    assert response.status_code == 401
    only_the_log_row(V.REJECTED_SIGNATURE)


def test_stale_timestamp_is_401_and_logged_as_stale(client, account):
    body = mock_body()
    response = post(client, account, body, signed(body, timestamp=int(time.time()) - 3600))
    assert response.status_code == 401
    only_the_log_row(V.REJECTED_STALE)


def test_non_json_body_is_400(client, account):
    body = b"<xml>not json</xml>"
    response = post(client, account, body, signed(body))
    assert response.status_code == 400
    assert response.json()["error"] == "body is not JSON"
    only_the_log_row(V.REJECTED_BODY)


def test_unknown_shape_is_422(client, account):
    body = b'{"type": "invoice.paid", "id": "x"}'
    response = post(client, account, body, signed(body))
    assert response.status_code == 422
    only_the_log_row(V.REJECTED_SHAPE)


def test_oversized_body_is_413_without_reading_it(client, account, monkeypatch):
    from tracking.carriers.mock import MockCarrier

    monkeypatch.setattr(MockCarrier, "max_webhook_bytes", 100)
    body = mock_body()
    assert len(body) > 100
    response = post(client, account, body, signed(body))
    assert response.status_code == 413
    row = only_the_log_row(V.TOO_LARGE)
    assert bytes(row.body) == b""  # refused on Content-Length, never buffered
    assert row.body_size == len(body)


def test_oversized_chunked_body_is_413_after_reading_only_the_limit(account):
    from tracking.carriers.mock import MockCarrier

    reads = []

    def read_body(n):
        reads.append(n)
        return b"x" * n  # a stream that would go on forever

    receipt = webhook_receive(public_id=account.public_id, headers={}, content_length=None, read_body=read_body)
    assert receipt.status == 413
    assert reads == [MockCarrier.max_webhook_bytes + 1]
    only_the_log_row(V.TOO_LARGE)


def test_unknown_account_is_404(client, account):
    body = mock_body()
    response = post(client, "nope-not-an-account", body, signed(body))
    assert response.status_code == 404
    row = only_the_log_row(V.UNKNOWN_ACCOUNT)
    assert row.account is None and row.public_id == "nope-not-an-account"
    assert bytes(row.body) == b""


def test_inactive_account_is_404(client, account):
    account.is_active = False
    account.save()
    body = mock_body()
    assert post(client, account, body, signed(body)).status_code == 404
    only_the_log_row(V.UNKNOWN_ACCOUNT)


def test_get_is_not_allowed(client, account):
    assert client.get(f"/webhooks/carriers/{account.public_id}/").status_code == 405
    assert InboundWebhook.objects.count() == 0


def test_cookies_and_authorization_are_not_stored(client, account):
    body = mock_body()
    client.cookies["sessionid"] = "secret-session"
    post(client, account, body, {**signed(body), "Authorization": "Bearer abc"})
    headers = InboundWebhook.objects.get().headers
    assert "X-Mock-Signature" in headers
    assert not {k.lower() for k in headers} & {"cookie", "authorization"}


def test_rotation_keeps_the_old_secret_valid_during_the_overlap(client, account):
    issued = carrier_account_rotate_secret(account=account, overlap=timedelta(hours=1))
    old, new = mock_body(1, "dlv_old"), mock_body(2, "dlv_new")
    assert post(client, account, old, signed(old, SECRET)).status_code == 202
    assert post(client, account, new, signed(new, issued.webhook_secret)).status_code == 202


def test_rotation_overlap_ends(client, account):
    carrier_account_rotate_secret(account=account, overlap=timedelta(hours=1))
    account.refresh_from_db()
    account.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    account.save()
    body = mock_body()
    assert post(client, account, body, signed(body, SECRET)).status_code == 401


def test_a_retried_delivery_is_acknowledged_once_processed_once(client, account, django_capture_on_commit_callbacks):
    body = mock_body(delivery_id="dlv_same")
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, account, body, signed(body))
        second = post(client, account, body, signed(body))
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json() == {"status": "duplicate"}
    verdicts = sorted(InboundWebhook.objects.values_list("verdict", flat=True))
    assert verdicts == [V.ACCEPTED, V.DUPLICATE]
    assert PendingEvent.objects.count() == 2


def test_other_merchants_parcel_with_the_same_number_is_untouched(deliver, account):
    number = make_tracking_number("on_time", SHIPPED, 7)
    foreign = ShipmentFactory(carrier="mock", tracking_number=number)  # another merchant
    assert foreign.merchant_id != account.merchant_id
    deliver(number, all_scenario_events(number)[:3], "dlv_x")
    assert foreign.events.count() == 0
    assert PendingEvent.objects.filter(merchant_id=account.merchant_id).count() == 3


def test_acknowledging_costs_a_fixed_number_of_queries(client, account, django_assert_max_num_queries):
    body = mock_body()
    # account lookup + one insert (+ savepoint statements inside the test's transaction)…
    with django_assert_max_num_queries(4):
        assert post(client, account, body, signed(body)).status_code == 202
    # …and once the account is cached, the insert alone.
    again = mock_body(2, "dlv_2")
    with django_assert_max_num_queries(3):
        assert post(client, account, again, signed(again)).status_code == 202


@pytest.mark.parametrize("verdict_body", [b"", b"{}", b"[]", b"null"])
def test_empty_or_trivial_bodies_are_4xx(client, account, verdict_body):
    response = post(client, account, verdict_body, signed(verdict_body))
    assert 400 <= response.status_code < 500


def test_cached_account_still_sees_a_rotation_at_once(client, account):
    first = mock_body(1, "dlv_a")
    assert post(client, account, first, signed(first)).status_code == 202  # account now cached
    issued = carrier_account_rotate_secret(account=account)
    second = mock_body(2, "dlv_b")
    assert post(client, account, second, signed(second, issued.webhook_secret)).status_code == 202


def test_cached_account_deactivation_is_honoured_on_a_rejected_delivery(client, account):
    first = mock_body(1, "dlv_a")
    assert post(client, account, first, signed(first)).status_code == 202
    account.is_active = False
    account.save()
    second = mock_body(2, "dlv_b")
    assert post(client, account, second, signed(second, "wrong")).status_code == 404


def test_url_token_carriers_are_verified_through_the_query_string(client, merchant):
    from tests.support.fixtures import fixture_bytes
    from tracking.ingest.accounts import carrier_account_create

    shippo = carrier_account_create(merchant=merchant, carrier="shippo", webhook_secret="tok_current",
                                    api_key="shippo_test_123").account
    body = fixture_bytes("shippo", "webhook_track_updated.json")
    assert post(client, shippo, body, query="?token=tok_current").status_code == 202
    assert post(client, shippo, body, query="?token=wrong").status_code == 401
    assert post(client, shippo, body).status_code == 401  # no query string at all
    verdicts = list(InboundWebhook.objects.order_by("id").values_list("verdict", flat=True))
    assert verdicts == [V.ACCEPTED, V.REJECTED_SIGNATURE, V.REJECTED_SIGNATURE]
