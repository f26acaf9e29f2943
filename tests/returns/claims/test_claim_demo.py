"""The demo shop has claims in every state, made through the services; seeding again adds none."""
import pytest
from django.utils import timezone

from returns.models import ReturnRequest, ReturnStatus
from tracking.demo.seed import seed

pytestmark = pytest.mark.django_db


def test_the_demo_has_claims_in_every_state_and_seeding_twice_adds_none(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    now = timezone.now()
    report = seed(now=now, scale=0.03)
    claims = ReturnRequest.objects.filter(kind="claim")
    assert report.created["returns.claims:claims"] == claims.count() > 0
    for slug in ("hanok-home", "trailhead"):
        states = set(claims.filter(merchant__slug=slug).values_list("status", flat=True))
        assert {ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.REJECTED, ReturnStatus.REFUNDED,
                ReturnStatus.EXCHANGED, ReturnStatus.CLOSED} <= states, slug
    assert claims.filter(status=ReturnStatus.CREDITED, claim_type="lost").exists()
    replacement = claims.get(merchant__slug="hanok-home", resolution="replacement")
    assert replacement.exchange_order.shipments.count() == 1 and replacement.photos.count() == 1
    assert all(rr.shipment_id is None and rr.method == "none" for rr in claims)

    again = seed(now=now, scale=0.03)
    assert again.created["returns.claims:claims"] == 0
    assert ReturnRequest.objects.filter(kind="claim").count() == claims.count()
