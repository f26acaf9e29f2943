"""carrier_account and simulate_carrier management commands."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tracking.models import CarrierAccount, InboundWebhook, PendingEvent


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_prints_url_and_secret_once(merchant, settings):
    settings.DOORSTEP_BASE_URL = "https://track.example.com"
    output = run("carrier_account", "create", "--merchant", "acme", "--carrier", "mock", "--webhook-secret", "given")
    account = CarrierAccount.objects.get()
    assert f"https://track.example.com/webhooks/carriers/{account.public_id}/" in output
    assert "Webhook secret: given" in output
    assert account.credentials().webhook_secret == "given"
    listing = run("carrier_account", "list")
    assert account.public_id in listing and "given" not in listing


def test_create_generates_a_secret(merchant):
    output = run("carrier_account", "create", "--merchant", "acme", "--carrier", "mock")
    secret = CarrierAccount.objects.get().credentials().webhook_secret
    assert f"Webhook secret: {secret}" in output


@pytest.mark.parametrize("args,message", [
    (["--merchant", "nope", "--carrier", "mock"], "no merchant"),
    (["--merchant", "acme", "--carrier", "pigeon"], "not a configured carrier"),
])
def test_create_rejects_bad_input(merchant, args, message):
    with pytest.raises(CommandError, match=message):
        run("carrier_account", "create", *args)
    assert CarrierAccount.objects.count() == 0


def test_rotate(account):
    output = run("carrier_account", "rotate", account.public_id, "--webhook-secret", "fresh", "--overlap-hours", "2")
    account.refresh_from_db()
    creds = account.credentials()
    assert creds.webhook_secret == "fresh" and len(creds.previous_webhook_secrets) == 1
    assert "Webhook secret: fresh" in output and "Previous secret accepted until" in output


# On SQLite the live server shares one in-memory database across its request threads: post serially there.
@pytest.mark.django_db(transaction=True)
def test_simulate_carrier_posts_over_real_http(live_server, merchant, account):
    output = run("simulate_carrier", "--url", live_server.url, "--account", account.public_id, "--count", "40",
                 "--rate", "0", "--duplicates", "0.2", "--out-of-order", "0.2", "--seed", "7",
                 "--concurrency", "1" if connection.vendor == "sqlite" else "3")
    assert "sent 40" in output and "rejected 0" in output
    accepted = InboundWebhook.objects.filter(verdict="accepted").count()
    duplicates = InboundWebhook.objects.filter(verdict="duplicate").count()
    assert accepted + duplicates == 40 and duplicates > 0
    assert f"accepted {accepted}" in output
    # No shipments exist yet, so every event waits as an orphan, once per distinct delivery.
    assert PendingEvent.objects.count() == accepted


@pytest.mark.django_db(transaction=True)
def test_simulate_carrier_reports_rejections(live_server, merchant, account):
    with pytest.raises(CommandError, match="rejected"):
        run("simulate_carrier", "--url", live_server.url, "--account", account.public_id, "--count", "3",
            "--rate", "0", "--secret", "wrong", "--concurrency", "1")


def test_public_ids_never_look_like_command_line_options():
    from tracking.ingest.models import new_public_id

    ids = [new_public_id() for _ in range(500)]  # token_urlsafe alone starts with "-" about 1 time in 64
    assert all(not public_id.startswith("-") and len(public_id) <= 32 for public_id in ids)
