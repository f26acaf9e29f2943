"""The demo shows every screen with data, and everything it shows loads from the app itself."""
import pytest
from django.contrib.staticfiles import finders

from tracking.demo.seed import seed
from tracking.models import Product

pytestmark = pytest.mark.django_db


def test_demo_pictures_are_served_by_the_app():
    seed(scale=0.01)
    urls = set(Product.objects.values_list("image_url", flat=True))
    assert urls and all(url.startswith("/static/doorstep/demo/") for url in urls)
    for url in urls | {"/static/doorstep/demo/proof-of-delivery.jpg"}:
        assert finders.find(url.removeprefix("/static/")), url


def test_every_merchant_screen_has_data_after_seed_demo(admin_client):
    from django.utils import timezone

    from feedback.models import SurveyResponse
    from returns.models import ReturnRequest, ReturnStatus
    from tracking.ingest.models import InboundWebhook
    from tracking.models import DeliveryRequest, Merchant
    from tracking.recommendations.models import RecommendationClick
    from tracking.webhooks_out.models import WebhookDelivery

    now = timezone.now()
    seed(now=now, scale=0.1)
    merchant = Merchant.objects.get(slug="hanok-home")
    # NPS is a trend: answers in many weeks of the year, in both languages.
    weeks = {r.answered_at.isocalendar()[:2] for r in SurveyResponse.objects.filter(merchant=merchant)}
    assert len(weeks) >= 20
    reasons = " ".join(SurveyResponse.objects.values_list("reason", flat=True))
    assert any("\uac00" <= ch <= "\ud7a3" for ch in reasons) and any(ch.isascii() and ch.isalpha() for ch in reasons)
    # Returns in every state.
    states = set(ReturnRequest.objects.values_list("status", flat=True))
    assert states >= {ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED,
                      ReturnStatus.REFUNDED, ReturnStatus.REJECTED}, states
    assert DeliveryRequest.objects.exists() and RecommendationClick.objects.exists()
    assert WebhookDelivery.objects.exists() and InboundWebhook.objects.exists()

    year = {"merchant": merchant.pk, "start": (now - timezone.timedelta(days=364)).date().isoformat(),
            "end": now.date().isoformat()}
    dashboard = admin_client.get("/admin/feedback/dashboard/", year)
    assert dashboard.status_code == 200
    cards = {c.key: c.value for c in dashboard.context["board"].cards}
    assert cards["nps"] is not None and cards["return_rate"] and cards["recs_ctr"] and cards["edd_accuracy"]
    by_week = dashboard.context["board"].tables["nps_by_week"].rows
    assert len([row for row in by_week if row["responses"]]) >= 20
    queue = admin_client.get("/admin/returns/returnrequest/", {"queue": "review"})
    assert queue.status_code == 200 and queue.context["cl"].result_count > 0
    accuracy = admin_client.get("/admin/tracking/lanetransitstats/accuracy/", {"days": 365})
    overall = dict(accuracy.context["tables"])["Overall"]
    assert overall and overall[0][1].n > 100


def test_demo_returns_keep_the_day_they_were_asked_for():
    from django.utils import timezone

    from returns.models import ReturnEvent, ReturnRequest

    now = timezone.now()
    seed(now=now, scale=0.05)
    oldest = ReturnRequest.objects.order_by("created_at").first()
    assert oldest.created_at < now - timezone.timedelta(days=60)
    first_step = ReturnEvent.objects.filter(return_request=oldest).order_by("created_at").first()
    assert first_step.created_at == oldest.created_at
