"""A task travels through the real broker (Redis) to a real worker process and changes the database.

Runs when REDIS_URL is set and the database is one a second process can see (not SQLite's in-memory
test database); CI's PostgreSQL pass does both."""
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from tests.factories import ShipmentFactory, TrackingEventFactory
from tracking.carriers import status as st
from tracking.models import Shipment
from tracking.tasks import refresh_shipment_status

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker)"),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="a worker process cannot see an in-memory test DB"),
]


@pytest.fixture
def worker(transactional_db):
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    # Messages left by an earlier aborted run point at rows that no longer exist; start clean.
    celery_app.control.purge()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_task_runs_on_a_real_worker(worker):
    shipment = ShipmentFactory()
    # Events written directly (bypassing the service), so only the worker's task can fix the status.
    TrackingEventFactory(shipment=shipment, status=st.IN_TRANSIT, occurred_at=timezone.now() - timedelta(days=1))
    TrackingEventFactory(shipment=shipment, status=st.DELIVERED, occurred_at=timezone.now())
    assert Shipment.objects.get(pk=shipment.pk).status == st.PENDING

    refresh_shipment_status.delay(shipment.pk)

    # Generous: on a loaded 2-core CI machine the worker can take a while to boot.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if Shipment.objects.get(pk=shipment.pk).status == st.DELIVERED:
            break
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.25)
    assert Shipment.objects.get(pk=shipment.pk).status == st.DELIVERED
