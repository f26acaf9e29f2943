"""Why a delivery was refused comes from the adapter's reason_code, never from its wording."""
import time

import pytest

from tracking.carriers.base import CarrierCredentials, WebhookRejected
from tracking.carriers.mock import sign_webhook, webhook_payload
from tracking.carriers.mock.webhooks import verify
from tracking.models import InboundWebhook
from tracking.ingest.accounts import carrier_account_create
from tracking.ingest.webhooks import _verdict_for

from tests.support.webhooks import post

V = InboundWebhook.Verdict
CREDS = CarrierCredentials(webhook_secret="s3cret")


def _rejection(headers, body=b"{}"):
    with pytest.raises(WebhookRejected) as caught:
        verify(headers=headers, body=body, credentials=CREDS, tolerance=300)
    return caught.value


def test_mock_adapter_tags_stale_and_bad_signatures():
    stale = _rejection(sign_webhook("s3cret", b"{}", int(time.time()) - 3600))
    wrong = _rejection(sign_webhook("other", b"{}", int(time.time())))
    missing = _rejection({})
    assert stale.reason_code == WebhookRejected.REASON_STALE
    assert wrong.reason_code == missing.reason_code == WebhookRejected.REASON_SIGNATURE


def test_reason_code_defaults_to_empty_for_older_adapters():
    assert WebhookRejected("nope", status=401).reason_code == ""


@pytest.mark.parametrize(("exc", "verdict"), [
    (WebhookRejected("timestamp outside the window", status=401), V.REJECTED_SIGNATURE),  # wording is ignored
    (WebhookRejected("bad", status=401, reason_code=WebhookRejected.REASON_STALE), V.REJECTED_STALE),
    (WebhookRejected("bad", status=401, reason_code=WebhookRejected.REASON_SIGNATURE), V.REJECTED_SIGNATURE),
])
def test_verdict_follows_the_reason_code(exc, verdict):
    assert _verdict_for(exc) == (verdict, 401)


def test_easypost_signature_rejection_is_logged_as_signature(client, merchant):
    account = carrier_account_create(merchant=merchant, carrier="easypost", webhook_secret="ep-secret").account
    response = post(client, account, b'{"object":"Event"}', {"X-Hmac-Signature": "hmac-sha256-hex=00"})
    assert response.status_code == 401
    assert InboundWebhook.objects.get().verdict == V.REJECTED_SIGNATURE


def test_mock_stale_delivery_is_logged_as_stale(client, account):
    body = webhook_payload("DSX1", [], "dlv_stale")
    headers = sign_webhook("whsec_test_0123456789abcdef", body, int(time.time()) - 3600)
    headers.pop("Content-Type")
    assert post(client, account, body, headers).status_code == 401
    assert InboundWebhook.objects.get().verdict == V.REJECTED_STALE
