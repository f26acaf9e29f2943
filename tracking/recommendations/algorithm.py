"""The recommendation model, free of Django so training, serving and offline evaluation share it.

Item-to-item scores are co-purchase counts turned into a *smoothed* conditional probability:

    s(i -> j) = (C[i, j] + beta * p[j]) / (n[i] + beta)

where C[i, j] is the number of orders holding both products, n[i] the orders holding i, and p[j] the
share of all orders holding j (popularity). It is P(j in basket | i in basket) with a Beta prior centred
on popularity: with little evidence about i (small n[i]) or no real association (C[i, j] ~ n[i] * p[j]),
the score collapses to popularity, which is what keeps the model at least as good as the popularity
baseline on history without co-purchase structure; with strong evidence the co-purchase term wins.

Serving sums these scores over the shopper's products (this order at full weight, earlier orders at
``history_weight``). Products the model knows nothing about (new since training) contribute their
category's best-sellers instead, and failing that the merchant's best-sellers: the fallbacks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

MODEL_VERSION = "smoothed-cooc-1"


@dataclass(frozen=True)
class Params:
    shrinkage: float = 20.0  # beta: pseudo-orders of popularity mixed into every item's neighbour scores
    neighbours: int = 30  # rows kept per seed product
    fallback_size: int = 30  # best-sellers kept per category and per merchant
    history_weight: float = 0.5  # weight of a product from an earlier order vs one in this order
    max_basket: int = 40  # orders larger than this (wholesale, data errors) count for popularity only


@dataclass
class TrainedModel:
    """Per-merchant output: what the ProductRecommendation table stores, as plain Python."""

    item: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # seed -> [(product, score)]
    category: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # category -> best-sellers
    popular: list[tuple[int, float]] = field(default_factory=list)  # merchant best-sellers
    orders: int = 0


def train(order_ids: np.ndarray, product_ids: np.ndarray, categories: Mapping[int, str],
          params: Params = Params()) -> TrainedModel:
    """Train from parallel arrays of (order id, product id), one entry per order line.

    ``categories`` maps product id -> category; products missing from it share the "" category."""
    order_ids = np.asarray(order_ids, dtype=np.int64)
    product_ids = np.asarray(product_ids, dtype=np.int64)
    if order_ids.size == 0:
        return TrainedModel()

    # Dense product index 0..P-1; orders likewise. A product twice in one order counts once.
    products, prod_idx = np.unique(product_ids, return_inverse=True)
    _, ord_idx = np.unique(order_ids, return_inverse=True)
    n_products = products.size
    keys = np.unique(ord_idx.astype(np.int64) * n_products + prod_idx)
    ord_idx, prod_idx = keys // n_products, keys % n_products  # sorted by order
    n_orders = int(ord_idx.max()) + 1

    n_item = np.bincount(prod_idx, minlength=n_products).astype(np.float64)
    pop = n_item / n_orders

    # Baskets as contiguous runs (keys are sorted by order).
    starts = np.flatnonzero(np.r_[True, ord_idx[1:] != ord_idx[:-1]])
    sizes = np.diff(np.r_[starts, ord_idx.size])
    size_per_line = np.repeat(sizes, sizes)
    start_per_line = np.repeat(starts, sizes)
    keep = (size_per_line >= 2) & (size_per_line <= params.max_basket)
    line_pos = np.flatnonzero(keep)
    reps = size_per_line[keep]
    # Every ordered pair (a, b) of lines in the same basket: repeat each line once per basket member.
    a = np.repeat(line_pos, reps)
    block_starts = np.repeat(np.cumsum(reps) - reps, reps)
    b = np.repeat(start_per_line[keep], reps) + (np.arange(a.size) - block_starts)
    distinct = a != b
    pair_keys = prod_idx[a[distinct]] * n_products + prod_idx[b[distinct]]
    pair_keys, co_counts = np.unique(pair_keys, return_counts=True)
    src, dst = pair_keys // n_products, pair_keys % n_products

    beta = params.shrinkage
    scores = (co_counts + beta * pop[dst]) / (n_item[src] + beta)

    # Products never bought with i still get their prior score, so popular items are in every list.
    top_popular = np.argsort(-pop, kind="stable")[: params.neighbours + 1]  # +1: a product skips itself
    prior_src = np.repeat(np.arange(n_products), top_popular.size)
    prior_dst = np.tile(top_popular, n_products)
    not_self = prior_src != prior_dst
    prior_src, prior_dst = prior_src[not_self], prior_dst[not_self]
    prior_scores = beta * pop[prior_dst] / (n_item[prior_src] + beta)

    all_src, all_dst, all_scores = _top_k_per_source(
        np.r_[src, prior_src], np.r_[dst, prior_dst], np.r_[scores, prior_scores], products, params.neighbours)

    model = TrainedModel(orders=n_orders)
    src_ids, dst_ids = products[all_src].tolist(), products[all_dst].tolist()
    for s, d, score in zip(src_ids, dst_ids, all_scores.tolist()):
        model.item.setdefault(s, []).append((d, score))

    by_popularity = np.lexsort((products, -pop))
    pop_ids, pop_scores = products[by_popularity].tolist(), pop[by_popularity].tolist()
    model.popular = list(zip(pop_ids[: params.fallback_size], pop_scores[: params.fallback_size]))
    for pid, score in zip(pop_ids, pop_scores):
        rows = model.category.setdefault(categories.get(pid, ""), [])
        if len(rows) < params.fallback_size:
            rows.append((pid, score))
    return model


@dataclass(frozen=True)
class Candidate:
    product_id: int
    score: float
    in_stock: bool = True


def rank(*, item_rows: Mapping[int, Iterable[tuple[int, float]]], category_rows: Mapping[str, Iterable[tuple[int, float]]],
         popular: Iterable[tuple[int, float]], order_products: Iterable[int], history_products: Iterable[int],
         product_categories: Mapping[int, str], exclude: set[int], limit: int,
         in_stock: Mapping[int, bool] | None = None, params: Params = Params()) -> list[Candidate]:
    """Blend the rows of the shopper's products into one ranked list.

    A seed the model has rows for adds w * s(seed -> j); a seed it has none for (new product, nothing
    trained) adds w * popularity(j) over its category's best-sellers, or over the merchant's best-sellers
    when the category has none either. No seeds at all: merchant best-sellers. Products in ``exclude``
    (everything the shopper bought) never come back. In-stock products rank before out-of-stock ones."""
    weights: dict[int, float] = {}
    for pid in history_products:
        weights[pid] = params.history_weight
    for pid in order_products:
        weights[pid] = 1.0
    popular = list(popular)
    totals: dict[int, float] = {}

    def add(rows, weight):
        for pid, score in rows:
            if pid not in exclude:
                totals[pid] = totals.get(pid, 0.0) + weight * score

    for seed, weight in weights.items():
        rows = item_rows.get(seed)
        if not rows:
            rows = category_rows.get(product_categories.get(seed, "")) or popular
        add(rows, weight)
    # Best-sellers fill the list when the seeds' neighbourhoods are exhausted by exclusions.
    add(popular, 1e-6 if weights else 1.0)

    stock = in_stock or {}
    ranked = sorted(totals.items(), key=lambda kv: (not stock.get(kv[0], True), -kv[1], kv[0]))
    return [Candidate(pid, score, stock.get(pid, True)) for pid, score in ranked[:limit]]


def _top_k_per_source(src: np.ndarray, dst: np.ndarray, scores: np.ndarray, products: np.ndarray, k: int):
    if src.size == 0:
        return src, dst, scores
    # One row per (src, dst): the co-purchase score is never below the prior one, keep the highest.
    order = np.lexsort((-scores, dst, src))
    src, dst, scores = src[order], dst[order], scores[order]
    first = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])]
    src, dst, scores = src[first], dst[first], scores[first]
    # Top-k per source product, ties broken by product id for reproducible tables.
    order = np.lexsort((products[dst], -scores, src))
    src, dst, scores = src[order], dst[order], scores[order]
    group_start = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
    rank = np.arange(src.size) - np.repeat(group_start, np.diff(np.r_[group_start, src.size]))
    top = rank < k
    return src[top], dst[top], scores[top]
