"""The webhook log row written while a carrier waits for its answer: one ordinary INSERT committed
before the answer, duplicates logged as such (never a 5xx), the caller's transaction left usable."""
import threading

import psycopg
import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from tracking.ingest.webhooks import BODY_SIZE_MAX, _log
from tracking.models import InboundWebhook, PendingEvent, TrackingEvent

from tests.support.webhooks import mock_body, post, signed

V = InboundWebhook.Verdict
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL sessions")


def other_connection():
    """A second, independent session on the test database (what another process would see)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def test_a_second_accepted_row_for_one_delivery_id_fails_without_breaking_the_callers_transaction(account):
    values = dict(account=account, public_id=account.public_id, headers={}, verdict=V.ACCEPTED, reason="",
                  provider_event_id="dlv_1")
    _log(**values)
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            _log(**values)
        # Rolled back to a savepoint: the caller's transaction goes on.
        assert InboundWebhook.objects.filter(provider_event_id="dlv_1").count() == 1


def test_a_content_length_beyond_the_column_is_stored_capped(account):
    pk = _log(account=account, public_id=account.public_id, headers={}, verdict=V.TOO_LARGE, reason="too large",
              body_size=2**40)
    assert InboundWebhook.objects.get(pk=pk).body_size == BODY_SIZE_MAX


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_a_delivery_is_stored_processed_and_a_retry_is_a_duplicate(client, account):
    body = mock_body(delivery_id="dlv_same")
    first = post(client, account, body, signed(body))
    second = post(client, account, body, signed(body))
    assert (first.status_code, second.status_code) == (202, 200)
    accepted = InboundWebhook.objects.get(verdict=V.ACCEPTED)
    assert accepted.processed_at is not None  # the drain was requested after the commit (eager in tests)
    assert InboundWebhook.objects.filter(verdict=V.DUPLICATE).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_accepting_writes_one_insert_committed_before_the_answer(client, account):
    from unittest import mock

    warm = mock_body(1, "dlv_warm")
    assert post(client, account, warm, signed(warm)).status_code == 202  # the account is memoised now
    body = mock_body(2, "dlv_2")
    with CaptureQueriesContext(connection) as queries, \
            mock.patch("tracking.ingest.webhooks.webhook_processing_request"):
        assert post(client, account, body, signed(body)).status_code == 202
    writes = [q["sql"].split()[0] for q in queries.captured_queries if not q["sql"].startswith("SELECT 1")]
    assert writes == ["INSERT"]
    with other_connection() as other:  # autocommitted before the answer: another session sees the row
        found = other.execute("SELECT verdict FROM tracking_inboundwebhook WHERE provider_event_id = %s",
                              ["dlv_2"]).fetchall()
    assert found == [(V.ACCEPTED,)]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_posted_twenty_times_at_once_gets_twenty_2xx_one_set_of_events_one_accepted_row(account):
    from django.test import Client

    body = mock_body(delivery_id="dlv_storm")
    headers = signed(body)
    start, statuses = threading.Barrier(20), []

    def deliver():
        try:
            start.wait(5)
            statuses.append(post(Client(), account, body, headers).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(statuses) == 20 and all(200 <= s < 300 for s in statuses), statuses
    assert sorted(statuses).count(202) == 1
    assert InboundWebhook.objects.filter(verdict=V.ACCEPTED).count() == 1
    assert InboundWebhook.objects.filter(verdict=V.DUPLICATE).count() == 19
    # Its two events (the parcel is not registered yet, so they wait as pending events) are kept once.
    assert TrackingEvent.objects.count() + PendingEvent.objects.count() == 2
