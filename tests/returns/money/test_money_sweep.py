"""Money is swept like webhooks: a refund left in flight (the worker died mid-call, the broker lost the
task) is resumed by the beat job with the same idempotency key, so it completes within minutes and is
never paid twice."""
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from returns.models import Refund
from returns.money.refunds import refund_execute, refunds_stuck, refunds_sweep_stuck
from returns.payments.base import GatewayUnavailable
from returns.payments.mock import MockGateway
from returns.services import return_refund
from returns.tasks import sweep_stuck_money
from tests.support.returns import ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_refund(order, admin_user):
    """A refund recorded, whose task never ran (as if the broker lost it or the worker died first)."""
    with mock.patch("returns.tasks.execute_refund.delay_on_commit"):
        refund = return_refund(rr=ask(order), by=admin_user)
    assert refund.status == Refund.Status.PENDING and refund.attempted_at is None
    return refund


def later(seconds=301):
    return timezone.now() + timedelta(seconds=seconds)


def test_a_fresh_pending_refund_is_not_stuck(pending_refund):
    assert list(refunds_stuck()) == []


def test_a_refund_whose_task_was_lost_is_sent_once_by_the_sweep(pending_refund):
    assert refunds_sweep_stuck(now=later()) == [pending_refund.pk]
    pending_refund.refresh_from_db()
    assert pending_refund.status == Refund.Status.SUCCEEDED and pending_refund.attempts == 1
    assert len(MockGateway.issued()) == 1
    assert refunds_sweep_stuck(now=later(3600)) == []  # done: never again


def test_a_worker_killed_mid_call_is_resumed_with_the_same_key_and_pays_once(pending_refund):
    keys = []
    real_refund = MockGateway.refund

    def dies_after_the_gateway_refunded(self, request):
        keys.append(request.idempotency_key)
        real_refund(self, request)  # the money left…
        raise SystemExit("worker killed")  # …but the worker died before recording it

    with mock.patch.object(MockGateway, "refund", dies_after_the_gateway_refunded), pytest.raises(SystemExit):
        refund_execute(refund_id=pending_refund.pk)
    # What a SIGKILL leaves behind: the claim (a BaseException handler would not have run).
    Refund.objects.filter(pk=pending_refund.pk).update(attempted_at=timezone.now())
    pending_refund.refresh_from_db()
    assert pending_refund.status == Refund.Status.PENDING and pending_refund.attempted_at is not None
    assert list(refunds_stuck()) == []  # in flight for less than the stuck time: left alone

    # Six minutes later the claim is older than DOORSTEP_MONEY_STUCK_AFTER: the beat's sweep resumes it.
    Refund.objects.filter(pk=pending_refund.pk).update(attempted_at=timezone.now() - timedelta(minutes=6))
    with mock.patch.object(MockGateway, "refund", lambda self, request: keys.append(request.idempotency_key)
                           or real_refund(self, request)):
        assert refunds_sweep_stuck() == [pending_refund.pk]
    pending_refund.refresh_from_db()
    assert pending_refund.status == Refund.Status.SUCCEEDED
    assert keys == [pending_refund.idempotency_key] * 2  # resumed with the SAME key…
    assert len(MockGateway.issued()) == 1  # …so the gateway refunded once
    assert pending_refund.gateway_reference == MockGateway.issued()[0].reference


def test_a_call_in_flight_is_not_duplicated_by_a_concurrent_resume(pending_refund):
    calls, real_refund = [], MockGateway.refund

    def slow(self, request):
        calls.append(request.idempotency_key)
        # While this call is in flight, a redelivered task or an early sweep tries the same refund:
        assert refund_execute(refund_id=pending_refund.pk).status == Refund.Status.PENDING
        return real_refund(self, request)

    with mock.patch.object(MockGateway, "refund", slow):
        refund_execute(refund_id=pending_refund.pk)
    assert len(calls) == 1
    pending_refund.refresh_from_db()
    assert pending_refund.status == Refund.Status.SUCCEEDED


def test_a_retryable_failure_backs_off_before_the_sweep_tries_again(pending_refund):
    with mock.patch.object(MockGateway, "refund", side_effect=GatewayUnavailable("down")), \
            pytest.raises(GatewayUnavailable):
        refund_execute(refund_id=pending_refund.pk)
    pending_refund.refresh_from_db()
    assert pending_refund.attempted_at is None and pending_refund.next_attempt_at is not None
    assert list(refunds_stuck(now=pending_refund.next_attempt_at - timedelta(seconds=1))) == []
    after = max(pending_refund.next_attempt_at, pending_refund.created_at + timedelta(seconds=301))
    assert list(refunds_stuck(now=after + timedelta(seconds=1))) == [pending_refund]


def test_the_sweep_gives_up_after_the_maximum_attempts(pending_refund, settings):
    settings.DOORSTEP_MONEY_MAX_ATTEMPTS = 3
    Refund.objects.filter(pk=pending_refund.pk).update(attempts=3)
    assert list(refunds_stuck(now=later())) == []


def test_the_beat_job_is_scheduled_and_runs(pending_refund, settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["returns-sweep-stuck-money"]
    assert schedule["task"] == sweep_stuck_money.name
    settings.DOORSTEP_MONEY_STUCK_AFTER = 0
    assert sweep_stuck_money() == 1
    assert Refund.objects.get(pk=pending_refund.pk).status == Refund.Status.SUCCEEDED
