"""The offline protocol: on planted structure the model beats popularity; without structure it
falls back to it. Small histories, fixed seeds: deterministic."""
from io import StringIO

import pytest
from django.core.management import call_command

from tracking.recommendations.evaluation import evaluate, generate_history


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_structure_doubles_popularity_hit_rate(seed):
    result = evaluate(generate_history(n_orders=6000, planted=True, seed=seed), seed=seed)
    assert result.model.cases > 500
    assert result.model.hit_rate >= 2 * result.popularity.hit_rate
    assert result.model.ndcg > result.popularity.ndcg


@pytest.mark.parametrize("seed", [1, 2])
def test_control_without_structure_stays_near_popularity(seed):
    result = evaluate(generate_history(n_orders=6000, planted=False, seed=seed), seed=seed)
    assert result.model.hit_rate >= 0.95 * result.popularity.hit_rate


def test_split_is_by_time_and_cases_are_defined():
    history = generate_history(n_orders=1000, planted=True, seed=3)
    result = evaluate(history, train_share=0.8, seed=3)
    assert result.test_orders == 200 and result.train_orders == 800
    assert result.model.cases + result.skipped <= result.test_orders
    assert result.model.cases == result.popularity.cases


def test_command_prints_both_methods_for_both_histories():
    out = StringIO()
    call_command("recs_evaluate", "--orders", "2000", "--seed", "4", stdout=out)
    text = out.getvalue()
    for label in ["planted", "control"]:
        assert f"[{label}] model      HitRate@10=" in text
        assert f"[{label}] popularity HitRate@10=" in text
    assert "NDCG@10=" in text
