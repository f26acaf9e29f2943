"""Train one merchant's recommendation table from its order history (the beat task calls this)."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracking.models import OrderLine, Product

from tracking.recommendations import algorithm
from tracking.recommendations.models import ProductRecommendation

logger = logging.getLogger(__name__)
Kind = ProductRecommendation.Kind


@dataclass(frozen=True)
class TrainingSummary:
    merchant_id: int
    orders: int
    lines: int
    rows: int
    seconds: float


def load_order_lines(*, merchant_id: int, since: datetime | None) -> tuple[np.ndarray, np.ndarray]:
    """(order ids, product ids), one per order line, in a single query."""
    lines = OrderLine.objects.filter(order__merchant_id=merchant_id)
    if since is not None:
        lines = lines.filter(order__placed_at__gte=since)
    flat = np.fromiter(
        (value for pair in lines.values_list("order_id", "variant__product_id").order_by().iterator(chunk_size=20000)
         for value in pair),
        dtype=np.int64)
    return flat[0::2], flat[1::2]


def build_rows(*, merchant_id: int, model: algorithm.TrainedModel, trained_at: datetime) -> list[ProductRecommendation]:
    common = {"merchant_id": merchant_id, "model_version": algorithm.MODEL_VERSION, "trained_at": trained_at}
    rows = []
    for seed, recs in model.item.items():
        rows += [ProductRecommendation(kind=Kind.ITEM, product_id=seed, recommended_product_id=pid, score=score,
                                       rank=rank, **common) for rank, (pid, score) in enumerate(recs, 1)]
    for category, recs in model.category.items():
        rows += [ProductRecommendation(kind=Kind.CATEGORY, category=category, recommended_product_id=pid,
                                       score=score, rank=rank, **common) for rank, (pid, score) in enumerate(recs, 1)]
    rows += [ProductRecommendation(kind=Kind.POPULAR, recommended_product_id=pid, score=score, rank=rank, **common)
             for rank, (pid, score) in enumerate(model.popular, 1)]
    return rows


def recommendations_train(*, merchant_id: int, now: datetime | None = None,
                          params: algorithm.Params = algorithm.Params()) -> TrainingSummary:
    """Replace the merchant's ProductRecommendation rows with a fresh model, atomically: readers see the
    old table until the new one is committed. A merchant without orders ends with an empty table."""
    started = time.perf_counter()
    now = now or timezone.now()
    history_days = settings.DOORSTEP_RECS_HISTORY_DAYS
    since = now - timedelta(days=history_days) if history_days else None
    order_ids, product_ids = load_order_lines(merchant_id=merchant_id, since=since)
    categories = dict(Product.objects.filter(merchant_id=merchant_id).values_list("id", "category"))
    model = algorithm.train(order_ids, product_ids, categories, params)
    rows = build_rows(merchant_id=merchant_id, model=model, trained_at=now)
    _replace_rows(merchant_id=merchant_id, rows=rows)
    summary = TrainingSummary(merchant_id, model.orders, int(order_ids.size), len(rows), time.perf_counter() - started)
    logger.info("recommendations trained: %s", summary)
    return summary


@transaction.atomic
def _replace_rows(*, merchant_id: int, rows: list[ProductRecommendation]) -> None:
    ProductRecommendation.objects.filter(merchant_id=merchant_id).delete()
    ProductRecommendation.objects.bulk_create(rows, batch_size=2000)
