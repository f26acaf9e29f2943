"""The training math on a hand-computed example, and the blending rules."""
import numpy as np
import pytest

from tracking.recommendations import algorithm
from tracking.recommendations.algorithm import Params, rank, train

A, B, C, D = 1, 2, 3, 4
CATS = {A: "tents", B: "tents", C: "lights", D: "lights"}


def _tiny():
    # orders: {A,B} {A,B} {A,C} {D}  -> N=4, n = A:3 B:2 C:1 D:1, C[A,B]=2, C[A,C]=1
    orders = np.array([1, 1, 2, 2, 3, 3, 4])
    products = np.array([A, B, A, B, A, C, D])
    return train(orders, products, CATS, Params(shrinkage=2, neighbours=2, fallback_size=2))


def test_smoothed_conditional_probability_by_hand():
    model = _tiny()
    # s(i->j) = (C[i,j] + beta*p[j]) / (n[i] + beta), beta = 2, p = A .75, B .5, C .25, D .25
    assert model.item[A] == [(B, pytest.approx(3 / 5)), (C, pytest.approx(1.5 / 5))]  # (2+1)/5, (1+.5)/5
    assert model.item[B] == [(A, pytest.approx(3.5 / 4)), (C, pytest.approx(0.5 / 4))]  # C by prior only
    assert model.item[C] == [(A, pytest.approx(2.5 / 3)), (B, pytest.approx(1 / 3))]
    assert model.item[D] == [(A, pytest.approx(1.5 / 3)), (B, pytest.approx(1 / 3))]  # never bought with D
    assert model.popular == [(A, 0.75), (B, 0.5)]  # top 2
    assert model.category == {"tents": [(A, 0.75), (B, 0.5)], "lights": [(C, 0.25), (D, 0.25)]}
    assert model.orders == 4


def test_duplicate_lines_count_once_and_huge_baskets_only_count_for_popularity():
    orders = np.array([1, 1, 1, 2, 2, 2])
    products = np.array([A, A, B, A, C, D])
    model = train(orders, products, CATS, Params(shrinkage=0.0001, max_basket=2))
    assert dict(model.popular)[A] == 1.0  # in both orders, counted once in order 1
    assert dict(model.item[A])[B] == pytest.approx(0.5, abs=1e-3)  # C[A,B]=1 of n[A]=2; order 2 skipped
    assert dict(model.item[A]).get(C, 0) < 0.01


def test_empty_history_trains_an_empty_model():
    model = train(np.array([], dtype=int), np.array([], dtype=int), {})
    assert (model.item, model.category, model.popular, model.orders) == ({}, {}, [], 0)


def _rank(model, **kwargs):
    defaults = dict(item_rows=model.item, category_rows=model.category, popular=model.popular,
                    history_products=[], product_categories=CATS, exclude=set(), limit=10)
    return [c.product_id for c in rank(**{**defaults, **kwargs})]


def test_rank_excludes_bought_products_and_sums_seeds():
    model = _tiny()
    assert _rank(model, order_products=[A], exclude={A}) == [B, C]
    # B's row says A strongly; with A excluded, C (in both A's and B's lists) comes first
    assert _rank(model, order_products=[A, B], exclude={A, B}) == [C]


def test_history_weighs_less_than_this_order():
    rows = {A: [(C, 0.4)], B: [(D, 0.6)]}
    common = dict(item_rows=rows, category_rows={}, popular=[], product_categories={}, exclude={A, B}, limit=2)
    assert [c.product_id for c in rank(order_products=[A], history_products=[B], **common)] == [C, D]  # .4 > .5*.6
    assert [c.product_id for c in rank(order_products=[B], history_products=[A], **common)] == [D, C]


def test_unknown_seed_uses_its_category_then_merchant_best_sellers():
    model = _tiny()
    new_light, new_thing = 99, 98
    cats = {**CATS, new_light: "lights", new_thing: "gadgets"}
    assert _rank(model, order_products=[new_light], product_categories=cats, exclude={new_light}) == [C, D, A, B]
    assert _rank(model, order_products=[new_thing], product_categories=cats, exclude={new_thing})[:2] == [A, B]
    assert _rank(model, order_products=[], exclude=set()) == [A, B]


def test_in_stock_first():
    model = _tiny()
    got = rank(item_rows=model.item, category_rows=model.category, popular=model.popular, order_products=[A],
               history_products=[], product_categories=CATS, exclude={A}, limit=5, in_stock={B: False, C: True})
    assert [(c.product_id, c.in_stock) for c in got] == [(C, True), (B, False)]


def test_model_version_is_recorded():
    assert algorithm.MODEL_VERSION
