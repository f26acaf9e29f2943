"""A real Celery worker is killed (SIGKILL) in the middle of a refund's gateway call; the money sweep
resumes the refund on another worker with the same idempotency key: it completes, and the gateway
refunded once. Needs REDIS_URL (a real broker) and PostgreSQL (a second process sees the rows)."""
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from returns.models import Refund
from returns.money.refunds import refunds_sweep_stuck
from returns.services import return_refund
from tests.support.gateways import FileGateway
from tests.support.returns import ask, make_order

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker)"),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="a worker process cannot see an in-memory test DB"),
]
GATEWAYS = "filegateway=tests.support.gateways.FileGateway"
STUCK_AFTER = 3


def wait_for(condition, what, worker=None, timeout=180):
    deadline = time.monotonic() + timeout  # generous: a loaded 2-core machine boots workers slowly
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"worker exited while waiting for {what}: {worker.stdout.read()}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    db = connection.settings_dict
    env = dict(os.environ, DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
               DOORSTEP_EXTRA_PAYMENT_GATEWAYS=GATEWAYS, DOORSTEP_TEST_GATEWAY_DIR=str(tmp_path),
               DOORSTEP_MONEY_STUCK_AFTER=str(STUCK_AFTER))
    celery_app.control.purge()
    started = []

    def start():
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING",
             "--without-heartbeat", "--without-mingle", "--without-gossip"],
            env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_worker_killed_mid_refund_is_resumed_by_the_sweep_and_pays_once(start_worker, tmp_path, merchant,
                                                                          admin_user, settings, monkeypatch):
    from returns.services import return_policy_ensure

    monkeypatch.setenv("DOORSTEP_TEST_GATEWAY_DIR", str(tmp_path))
    settings.DOORSTEP_PAYMENT_GATEWAYS = {**settings.DOORSTEP_PAYMENT_GATEWAYS, "filegateway": GATEWAYS.split("=")[1]}
    settings.DOORSTEP_MONEY_STUCK_AFTER = STUCK_AFTER
    return_policy_ensure(merchant=merchant)
    order = make_order(merchant, gateway="filegateway")
    (tmp_path / "hang").touch()
    first = start_worker()

    refund = return_refund(rr=ask(order), by=admin_user)  # published after commit to the real broker
    wait_for(lambda: (tmp_path / "started").exists(), "the gateway call to start", first)
    first.kill()  # SIGKILL mid-call: no handler runs, the task message stays unacked
    first.wait(timeout=20)
    killed_at = time.monotonic()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING and refund.attempted_at is not None
    assert FileGateway.calls(tmp_path) == [refund.idempotency_key]

    (tmp_path / "hang").unlink()
    second = start_worker()
    # What beat does every DOORSTEP_MONEY_SWEEP_INTERVAL: sweep until the refund is no longer stuck.
    wait_for(lambda: bool(refunds_sweep_stuck()), "the refund to count as stuck", second, timeout=60)
    wait_for(lambda: Refund.objects.get(pk=refund.pk).status != Refund.Status.PENDING, "the resumed refund", second)
    print(f"worker kill -> refund completed: {time.monotonic() - killed_at:.1f} s (stuck after {STUCK_AFTER} s)")

    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert FileGateway.calls(tmp_path) == [refund.idempotency_key] * 2  # resumed with the same key
    assert FileGateway.refunds(tmp_path) == [refund.gateway_reference]  # and the money left once
