"""Beat-driven training and the impression log write (kept off the page's request)."""
import uuid

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.dateparse import parse_datetime

from tracking.locks import single_run
from tracking.models import Merchant, Order

from tracking.recommendations.services import recommendation_impression_record
from tracking.recommendations.training import recommendations_train

_LOCK = settings.DOORSTEP_RECS_TRAIN_LOCK_SECONDS


def _train_locked(merchant_id: int) -> int | None:
    # Two concurrent replacements of one merchant's table would collide on its unique constraints.
    with single_run(f"recommendations:train:{merchant_id}", timeout=_LOCK) as acquired:
        return recommendations_train(merchant_id=merchant_id).rows if acquired else None


@shared_task(acks_late=True, time_limit=_LOCK, soft_time_limit=_LOCK - 60)
def train_merchant_recommendations(merchant_id: int) -> int | None:
    """Idempotent: retraining replaces the merchant's table as a whole."""
    return _train_locked(merchant_id)


@shared_task(time_limit=_LOCK, soft_time_limit=_LOCK - 60)
def train_all_recommendations() -> int:
    """Beat job: retrain every merchant with orders, one after the other, under one lock."""
    with single_run("recommendations:train", timeout=_LOCK) as acquired:
        if not acquired:
            return 0
        merchant_ids = list(Merchant.objects.filter(Exists(Order.objects.filter(merchant_id=OuterRef("pk"))))
                            .values_list("id", flat=True))
        for merchant_id in merchant_ids:
            _train_locked(merchant_id)
        return len(merchant_ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300,
             retry_jitter=True, max_retries=5)  # idempotent: keyed by the random impression id
def log_recommendation_impression(impression_id: str, merchant_id: int, order_id: int | None,
                                  customer_id: int | None, placement: str, product_ids: list[int],
                                  shown_at: str | None = None) -> None:
    recommendation_impression_record(
        impression_id=uuid.UUID(impression_id), merchant_id=merchant_id, order_id=order_id,
        customer_id=customer_id, placement=placement, product_ids=product_ids,
        shown_at=parse_datetime(shown_at) if shown_at else None)
