"""Offline evaluation: synthetic order histories, a time split, HitRate@10 and NDCG@10.

Protocol (the same for the model and the popularity baseline):

* Orders are sorted by time; the first ``train_share`` of them train, the rest are test orders.
* Every test order with at least two distinct products is one case: one of its products, chosen by the
  seeded RNG, is hidden; the others are the order's seeds, and every product the customer bought in
  earlier orders (train or test period) is history.
* Both methods recommend 10 products, never one of the seeds or history (serving never shows a
  shopper something they bought). A case whose hidden product the customer had already bought earlier
  can be hit by neither, so it is skipped (and counted in ``skipped``).
* Hit: the hidden product is in the top 10. NDCG@10 with one relevant item: 1 / log2(1 + rank).

The model side calls ``algorithm.train`` and ``algorithm.rank`` — the same functions the beat task and
the tracking page use — so the figures describe what shoppers get.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from tracking.recommendations import algorithm


@dataclass
class History:
    order_ids: np.ndarray  # one entry per order line
    product_ids: np.ndarray
    customer_of_order: np.ndarray  # index: order id
    placed_at: np.ndarray  # index: order id (any monotone time unit)
    categories: dict[int, str]

    @property
    def n_orders(self) -> int:
        return int(self.customer_of_order.size)


def generate_history(*, n_orders: int, planted: bool, seed: int = 0, n_products: int = 400,
                     n_categories: int = 12, bundle_share: float = 0.7, follow_bundle: float = 0.7,
                     zipf: float = 0.9) -> History:
    """Orders from Zipf-popular products. ``planted``: products come in bundles of 2-4 complements (not
    tied to categories) and an order whose first product is in a bundle adds partners from it with
    probability ``follow_bundle``. Control (``planted=False``): every product of every order is drawn
    independently by popularity alone, so co-purchases carry no information beyond popularity."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_products + 1) ** zipf
    popularity = weights / weights.sum()
    products = rng.permutation(n_products) + 1  # product ids 1..P, popularity rank shuffled
    categories = {int(pid): f"cat-{rng.integers(n_categories)}" for pid in products}

    bundle_of = np.full(n_products, -1)
    bundles: list[np.ndarray] = []
    if planted:
        members = rng.permutation(n_products)[: int(n_products * bundle_share)]
        pos = 0
        while pos < members.size - 1:
            size = int(rng.integers(2, 5))
            group = members[pos:pos + size]
            for idx in group:
                bundle_of[idx] = len(bundles)
            bundles.append(group)
            pos += size

    n_customers = max(1, n_orders // 3)
    customer_of_order = rng.integers(n_customers, size=n_orders)
    placed_at = np.sort(rng.random(n_orders))  # order ids are in time order
    sizes = 1 + np.minimum(rng.poisson(1.2, size=n_orders), 5)
    draws = rng.choice(n_products, size=int(sizes.sum()) * 2, p=popularity)
    cursor = 0
    order_ids, product_idx = [], []
    for oid in range(n_orders):
        basket: list[int] = []
        while len(basket) < sizes[oid]:
            pick = int(draws[cursor % draws.size]); cursor += 1
            if pick in basket:
                continue
            basket.append(pick)
            if planted and len(basket) == 1 and bundle_of[pick] >= 0 and rng.random() < follow_bundle:
                partners = [int(p) for p in bundles[bundle_of[pick]] if p != pick]
                take = int(rng.integers(1, len(partners) + 1))
                basket.extend(rng.permutation(partners)[:take].tolist())
        order_ids.extend([oid] * len(basket))
        product_idx.extend(basket)
    return History(np.asarray(order_ids, dtype=np.int64), products[np.asarray(product_idx)],
                   customer_of_order, placed_at, categories)


@dataclass
class Scores:
    hit_rate: float
    ndcg: float
    cases: int

    def as_dict(self) -> dict:
        return {"hit_rate@10": round(self.hit_rate, 4), "ndcg@10": round(self.ndcg, 4), "cases": self.cases}


@dataclass
class EvaluationResult:
    model: Scores
    popularity: Scores
    skipped: int
    train_orders: int
    test_orders: int
    train_seconds: float
    popularity_seconds: float

    @property
    def hit_rate_ratio(self) -> float:
        return self.model.hit_rate / self.popularity.hit_rate if self.popularity.hit_rate else math.inf


def evaluate(history: History, *, k: int = 10, train_share: float = 0.8, seed: int = 0,
             params: algorithm.Params = algorithm.Params()) -> EvaluationResult:
    rng = np.random.default_rng(seed + 1)
    time_order = np.argsort(history.placed_at, kind="stable")
    cut_time = history.placed_at[time_order[int(history.n_orders * train_share)]]
    in_train = history.placed_at[history.order_ids] < cut_time

    started = time.perf_counter()
    model = algorithm.train(history.order_ids[in_train], history.product_ids[in_train], history.categories, params)
    train_seconds = time.perf_counter() - started

    started = time.perf_counter()
    pairs = np.unique(np.c_[history.order_ids[in_train], history.product_ids[in_train]], axis=0)
    pids, pop_counts = np.unique(pairs[:, 1], return_counts=True)
    by_popularity = [int(p) for p in pids[np.lexsort((pids, -pop_counts))]]
    popularity_seconds = time.perf_counter() - started

    lines_by_order: dict[int, list[int]] = {}
    for oid, pid in zip(history.order_ids.tolist(), history.product_ids.tolist()):
        basket = lines_by_order.setdefault(oid, [])
        if pid not in basket:
            basket.append(pid)

    bought_before: dict[int, set[int]] = {}  # customer -> products of orders already walked past
    model_hits = pop_hits = 0
    model_dcg = pop_dcg = 0.0
    cases = skipped = test_orders = 0
    for oid in time_order.tolist():
        basket = lines_by_order.get(oid, [])
        customer = int(history.customer_of_order[oid])
        history_products = bought_before.setdefault(customer, set())
        if history.placed_at[oid] >= cut_time:
            test_orders += 1
            if len(basket) >= 2:
                hidden = basket[int(rng.integers(len(basket)))]
                seeds = [p for p in basket if p != hidden]
                if hidden in history_products:
                    skipped += 1
                else:
                    cases += 1
                    exclude = set(seeds) | history_products
                    recs = algorithm.rank(
                        item_rows=model.item, category_rows=model.category, popular=model.popular,
                        order_products=seeds, history_products=history_products,
                        product_categories=history.categories, exclude=exclude, limit=k, params=params)
                    got = [c.product_id for c in recs]
                    if hidden in got:
                        model_hits += 1
                        model_dcg += 1 / math.log2(got.index(hidden) + 2)
                    baseline = [p for p in by_popularity if p not in exclude][:k]
                    if hidden in baseline:
                        pop_hits += 1
                        pop_dcg += 1 / math.log2(baseline.index(hidden) + 2)
        history_products.update(basket)

    n = max(cases, 1)
    return EvaluationResult(
        model=Scores(model_hits / n, model_dcg / n, cases),
        popularity=Scores(pop_hits / n, pop_dcg / n, cases),
        skipped=skipped, train_orders=int(history.n_orders - test_orders), test_orders=test_orders,
        train_seconds=train_seconds, popularity_seconds=popularity_seconds,
    )


def report_lines(name: str, result: EvaluationResult) -> list[str]:
    return [
        f"[{name}] train orders={result.train_orders} test orders={result.test_orders} "
        f"cases={result.model.cases} skipped(hidden item bought before)={result.skipped}",
        f"[{name}] model      HitRate@10={result.model.hit_rate:.4f}  NDCG@10={result.model.ndcg:.4f}",
        f"[{name}] popularity HitRate@10={result.popularity.hit_rate:.4f}  NDCG@10={result.popularity.ndcg:.4f}",
        f"[{name}] model / popularity HitRate@10 = {result.hit_rate_ratio:.2f}x",
    ]
