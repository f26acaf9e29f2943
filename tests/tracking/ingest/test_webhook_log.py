"""The webhook log row's INSERT (tracking.ingest.webhook_log): the same row the ORM would write, one
statement in autocommit without the connection health check, a lost connection retried once, and a
prepared statement the server lost (a pooler in between) replaced by plain statements."""
import logging
import threading
import time
from datetime import timedelta
from unittest import mock as um

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tracking.models import InboundWebhook
from tracking.ingest import webhook_log
from tracking.ingest.webhook_log import inbound_webhook_insert

from tests.support.webhooks import mock_body, post, signed

V = InboundWebhook.Verdict
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL fast path")

FIELDS = ["account_id", "merchant_id", "public_id", "headers", "body", "body_size", "remote_addr", "verdict",
          "reason", "provider_event_id", "processed_at", "processing_attempts", "processing_error",
          "events_created", "events_orphaned"]


def row_dict(pk):
    row = InboundWebhook.objects.get(pk=pk)
    values = {name: getattr(row, name) for name in FIELDS}
    values["body"] = bytes(values["body"])
    return values


@pytest.fixture(autouse=True)
def _prepared_statements_allowed():
    webhook_log.prepared_statements_reset()
    yield
    webhook_log.prepared_statements_reset()


def other_connection():
    """A second, independent session on the test database (what another process would see)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.parametrize("remote_addr", ["203.0.113.7", "2001:db8::1", None])
def test_the_row_is_the_one_the_orm_would_write(account, remote_addr):
    values = dict(account_id=account.pk, merchant_id=account.merchant_id, public_id=account.public_id,
                  headers={"X-Mock-Signature": "v1=abc", "X-Note": "한국어 ☃ \"quoted\""},
                  body=b'{"id": 1}\x00\xff raw bytes', body_size=23, remote_addr=remote_addr,
                  verdict=V.REJECTED_BODY, reason="body is not JSON", provider_event_id="")
    before = timezone.now()
    raw_pk = inbound_webhook_insert(**values)
    orm_pk = InboundWebhook.objects.create(**values).pk
    assert raw_pk != orm_pk
    assert row_dict(raw_pk) == row_dict(orm_pk)
    received = InboundWebhook.objects.get(pk=raw_pk).received_at
    assert before <= received <= timezone.now()  # received time defaults to now, timezone-aware


def test_unknown_fields_are_refused(account):
    with pytest.raises(TypeError):
        inbound_webhook_insert(public_id="x", verdict=V.ACCEPTED, not_a_column=1)


def test_a_second_accepted_row_for_one_delivery_id_violates_the_constraint(account):
    values = dict(account_id=account.pk, merchant_id=account.merchant_id, public_id=account.public_id,
                  verdict=V.ACCEPTED, provider_event_id="dlv_1")
    inbound_webhook_insert(**values)
    from django.db import transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        inbound_webhook_insert(**values)
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            inbound_webhook_insert(**values)
        # The statement skipped the row instead of failing: the caller's transaction goes on.
        assert InboundWebhook.objects.filter(provider_event_id="dlv_1").count() == 1


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
def test_accepting_is_one_statement_without_health_check_and_committed_before_the_answer(client, account):
    warm = mock_body(1, "dlv_warm")
    assert post(client, account, warm, signed(warm)).status_code == 202  # the account is cached now
    connection.health_check_enabled = True
    wrapper_class = type(connections["default"])
    with um.patch.object(wrapper_class, "is_usable", autospec=True, side_effect=wrapper_class.is_usable) as spy:
        # Control: the first cursor of a request through Django pays the health check…
        connections["default"].health_check_done = False
        with connection.cursor():
            pass
        assert spy.call_count == 1
        # …the accept path does not, and runs exactly one statement: the INSERT (no BEGIN/COMMIT).
        spy.reset_mock()
        connections["default"].health_check_done = False
        body = mock_body(2, "dlv_2")
        # (Processing is eager in tests; in production a worker does it, so it is left out here.)
        with CaptureQueriesContext(connection) as queries, \
                um.patch("tracking.ingest.webhooks.webhook_processing_request") as processing:
            response = post(client, account, body, signed(body))
    assert response.status_code == 202
    assert spy.call_count == 0
    processing.assert_called_once_with(InboundWebhook.objects.get(provider_event_id="dlv_2").pk)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    # Autocommitted before the answer: another session sees the row.
    with other_connection() as other:
        found = other.execute("SELECT verdict FROM tracking_inboundwebhook WHERE provider_event_id = %s",
                              ["dlv_2"]).fetchall()
    assert found == [(V.ACCEPTED,)]


@pytest.fixture
def dead_connection_closed_after(account):
    """Set up after the database fixtures, so torn down before them: a test that fails while the
    connection is dead must not leave it to the next tests (or to the database teardown)."""
    yield
    raw = connections["default"].connection
    if raw is not None and (raw.broken or raw.closed):
        connections["default"].close()


def terminate_backend_of(django_connection):
    connection.ensure_connection()
    pid = django_connection.connection.info.backend_pid
    with other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchall():
                break
            time.sleep(0.02)
    return pid


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_is_reopened_and_the_insert_retried_once(client, account, dead_connection_closed_after):
    warm = mock_body(1, "dlv_warm")
    assert post(client, account, warm, signed(warm)).status_code == 202
    old_pid = terminate_backend_of(connection)
    body = mock_body(2, "dlv_after_restart")
    assert post(client, account, body, signed(body)).status_code == 202
    assert connection.connection.info.backend_pid != old_pid
    assert InboundWebhook.objects.filter(provider_event_id="dlv_after_restart", verdict=V.ACCEPTED).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_no_answer_at_all_when_the_database_stays_away(client, account, dead_connection_closed_after):
    warm = mock_body(1, "dlv_warm")
    assert post(client, account, warm, signed(warm)).status_code == 202
    terminate_backend_of(connection)
    settings_dict = connections["default"].settings_dict
    port = settings_dict["PORT"]
    settings_dict["PORT"] = "1"  # the reconnect fails too
    try:
        body = mock_body(2, "dlv_lost")
        with pytest.raises(OperationalError):
            post(client, account, body, signed(body))  # a 500: the carrier retries; nothing was acknowledged
    finally:
        settings_dict["PORT"] = port
        connections["default"].close()
    assert not InboundWebhook.objects.filter(provider_event_id="dlv_lost").exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried(account):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '100ms'")
    with other_connection() as other:
        other.execute("BEGIN")
        other.execute("LOCK TABLE tracking_inboundwebhook IN ACCESS EXCLUSIVE MODE")
        with CaptureQueriesContext(connection) as queries, pytest.raises(OperationalError):
            inbound_webhook_insert(public_id="x", verdict=V.ACCEPTED, account_id=account.pk)
        other.execute("ROLLBACK")
    assert len(queries.captured_queries) == 1  # tried once: the connection was fine, the error was not its fault
    assert connection.connection is not None and not connection.connection.closed
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_insert_is_prepared_once_per_connection(account):
    for serial in range(3):
        inbound_webhook_insert(public_id="x", verdict=V.REJECTED_BODY, account_id=account.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [s for (s,) in cursor.fetchall()]
    assert len(statements) == 1 and statements[0].startswith('INSERT INTO "tracking_inboundwebhook"')
    assert connection.connection.prepare_threshold is None  # Django's setting for every other query is intact


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_lost_prepared_statement_falls_back_to_plain_statements(account, caplog):
    inbound_webhook_insert(public_id="x", verdict=V.REJECTED_BODY, account_id=account.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        (name,), = cursor.fetchall()
        cursor.execute(f'DEALLOCATE "{name}"')  # what a transaction-pooling proxy does behind our back
    with caplog.at_level(logging.WARNING, logger="tracking.ingest.webhook_log"):
        pk = inbound_webhook_insert(public_id="y", verdict=V.REJECTED_BODY, account_id=account.pk)
    assert InboundWebhook.objects.get(pk=pk).public_id == "y"
    assert "prepared statement" in caplog.text
    connections["default"].close()  # a fresh session: nothing gets prepared any more
    inbound_webhook_insert(public_id="z", verdict=V.REJECTED_BODY, account_id=account.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (0,)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_prepared_statements_can_be_turned_off(account, settings):
    settings.DOORSTEP_WEBHOOK_PREPARED_INSERT = False
    inbound_webhook_insert(public_id="x", verdict=V.REJECTED_BODY, account_id=account.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (0,)


def test_rejections_still_write_only_their_log_row_with_the_received_time(client, account):
    before = timezone.now() - timedelta(seconds=1)
    body = b"<xml/>"
    assert post(client, account, body, signed(body)).status_code == 400
    row = InboundWebhook.objects.get()
    assert row.verdict == V.REJECTED_BODY and bytes(row.body) == body and row.received_at >= before


def accepted_params(account, delivery_id, **extra):
    from django.db import router

    values = dict(account_id=account.pk, merchant_id=account.merchant_id, public_id=account.public_id,
                  verdict=V.ACCEPTED, provider_event_id=delivery_id, received_at=timezone.now(), **extra)
    return webhook_log._statement(router.db_for_write(InboundWebhook)).params(values)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_grouped_statement_maps_each_row_to_its_id_and_skips_only_duplicates(account):
    held = inbound_webhook_insert(account_id=account.pk, public_id="x", verdict=V.ACCEPTED, provider_event_id="dlv_held")
    statement = webhook_log._statement("default")
    batch = [accepted_params(account, "dlv_a"), accepted_params(account, "dlv_held"), accepted_params(account, ""),
             accepted_params(account, "dlv_b"), accepted_params(account, "dlv_b"), accepted_params(account, "")]
    with CaptureQueriesContext(connection) as queries:
        results = webhook_log._insert_rows(connection, statement, batch)
    assert len(queries.captured_queries) == 1  # one statement, one commit for six rows
    ids = [r for r in results if not isinstance(r, Exception)]
    assert [isinstance(r, IntegrityError) for r in results] == [False, True, False, False, True, False]
    rows = dict(InboundWebhook.objects.filter(pk__in=ids).values_list("pk", "provider_event_id"))
    assert [rows[i] for i in ids] == ["dlv_a", "", "dlv_b", ""]
    assert InboundWebhook.objects.filter(provider_event_id="dlv_held").values_list("pk", flat=True).get() == held


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_row_that_fails_the_grouped_statement_fails_alone(account):
    statement = webhook_log._statement("default")
    bad = accepted_params(account, "dlv_bad", body_size=-1)  # violates the table's CHECK constraint
    batch = [accepted_params(account, "dlv_1"), bad, accepted_params(account, "dlv_2")]
    results = webhook_log._insert_rows(connection, statement, batch)
    assert isinstance(results[1], IntegrityError)
    assert sorted(InboundWebhook.objects.filter(pk__in=[results[0], results[2]])
                  .values_list("provider_event_id", flat=True)) == ["dlv_1", "dlv_2"]
    assert not InboundWebhook.objects.filter(provider_event_id="dlv_bad").exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_share_commits_and_each_is_stored_once_under_its_own_id(account, settings):
    settings.DOORSTEP_WEBHOOK_GROUP_INSERT_MAX = 8
    webhook_log._groups.clear()
    outcomes, start = {}, threading.Barrier(12)

    def deliver(n):
        try:
            start.wait(5)
            # Every delivery id twice: one of each pair is stored, the other is a duplicate.
            outcomes[n] = inbound_webhook_insert(account_id=account.pk, merchant_id=account.merchant_id,
                                                 public_id=account.public_id, verdict=V.ACCEPTED,
                                                 provider_event_id=f"dlv_{n // 2}")
        except IntegrityError:
            outcomes[n] = "duplicate"
        finally:
            connections.close_all()

    for _ in range(5):
        outcomes.clear()
        InboundWebhook.objects.all().delete()
        group = webhook_log._group("default")
        threads = [threading.Thread(target=deliver, args=(n,)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        stored = dict(InboundWebhook.objects.values_list("pk", "provider_event_id"))
        assert len(stored) == 6 and sorted(stored.values()) == [f"dlv_{i}" for i in range(6)]
        for n, outcome in outcomes.items():
            if outcome != "duplicate":
                assert stored[outcome] == f"dlv_{n // 2}"
        assert list(outcomes.values()).count("duplicate") == 6
        if group.batches < group.items:
            break  # at least one statement carried several deliveries
    assert group.batches < group.items, "twelve simultaneous deliveries never shared a statement"
