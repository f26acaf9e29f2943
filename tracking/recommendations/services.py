"""Writes: impression and click logs, offer impressions."""
from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracking.models import Order

from tracking.recommendations.models import OfferImpression, PostPurchaseOffer, RecommendationClick, RecommendationImpression


@transaction.atomic
def recommendation_impression_record(*, impression_id: uuid.UUID, merchant_id: int, order_id: int | None,
                                     customer_id: int | None, placement: str, product_ids: list[int],
                                     shown_at=None) -> RecommendationImpression:
    """Idempotent (keyed by the random impression id), so the task that calls it may be retried."""
    impression, _ = RecommendationImpression.objects.get_or_create(
        id=impression_id,
        defaults={"merchant_id": merchant_id, "order_id": order_id, "customer_id": customer_id,
                  "placement": placement, "product_ids": list(product_ids), "shown_at": shown_at or timezone.now()})
    # A click that beat this row to the database could not learn its customer: fill it in now.
    RecommendationClick.objects.filter(impression_id=impression.id, merchant_id=impression.merchant_id,
                                       customer__isnull=True).update(customer_id=impression.customer_id)
    return impression


@transaction.atomic
def recommendation_click_record(*, merchant_id: int, impression_id: uuid.UUID, product_id: int | None,
                                placement: str) -> RecommendationClick:
    customer_id = (RecommendationImpression.objects.filter(id=impression_id, merchant_id=merchant_id)
                   .values_list("customer_id", flat=True).first())
    return RecommendationClick.objects.create(merchant_id=merchant_id, impression_id=impression_id,
                                              product_id=product_id, customer_id=customer_id, placement=placement)


def offer_impression_record(*, offer: PostPurchaseOffer, order: Order) -> OfferImpression | None:
    """Record that the offer is being shown for this order; None if it already was (by another request
    too: the unique constraint decides the race)."""
    try:
        with transaction.atomic():
            impression = OfferImpression.objects.create(merchant_id=order.merchant_id, offer=offer, order=order)
            # The order page is cached under a version that includes the order's updated_at: moving it
            # makes the next view render afresh, without the offer, so it really is shown once.
            Order.objects.filter(pk=order.pk).update(updated_at=timezone.now())
            return impression
    except IntegrityError:
        return None
