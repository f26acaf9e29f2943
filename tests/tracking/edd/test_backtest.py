"""History generator, backtest, the management command, bench script and admin report."""
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from tracking.edd import calendar as cal
from tracking.edd.accuracy import Outcome, summarize
from tracking.edd.backtest import Config, _score_in_transit_days, _outcome, prepare, run_backtest
from tracking.edd.history import PUBLISHED_TABLE, generate_history
from tracking.models import EddBacktestRun

ROOT = Path(__file__).resolve().parents[3]  # the repository (tests/tracking/edd/…)


def test_history_is_deterministic_and_realistic():
    history = generate_history(shipments=3000, seed=3)
    assert history == generate_history(shipments=3000, seed=3)
    assert history != generate_history(shipments=3000, seed=4)
    cases = prepare(history)
    # Deliveries land on business days except for carriers that work Saturdays.
    weekend = [c for c in cases if c.weekend]
    assert weekend and all(cal.local_date(h.delivered_at, h.destination_country).weekday() == 5
                           for h in history if not cal.is_business_day(cal.local_date(h.delivered_at, h.destination_country), h.destination_country))
    # Lanes differ: Jeju (KR-63) is slower than Seoul (KR-0x).
    jeju = [c.transit_days for c in cases if c.key.destination_zone == "KR-63"]
    seoul = [c.transit_days for c in cases if c.key.destination_zone.startswith("KR-0")]
    assert sum(jeju) / len(jeju) > sum(seoul) / len(seoul) + 0.8
    # Outliers exist.
    assert max(c.transit_days for c in cases) >= 8
    assert len(Counter(h.carrier for h in history)) == 7


def test_integer_scoring_matches_date_scoring():
    cases = prepare(generate_history(shipments=600, seed=5))
    windows = [(c, (1, 3, 2)) for c in cases]
    by_int = _score_in_transit_days(windows)
    by_date = summarize(_outcome(c, 1, 3, 2) for c in cases)
    assert by_int == by_date


def test_summarize():
    d = date(2025, 11, 24)
    outcomes = [Outcome("x", "a→b", "US", d, d, date(2025, 11, 26), d),
                Outcome("x", "a→b", "US", date(2025, 11, 28), d, date(2025, 11, 26), d)]
    s = summarize(outcomes)
    assert (s.n, s.inside, s.late, s.early, s.median_width) == (2, 0.5, 0.5, 0.0, 3.0)
    assert s.mae_days == (0 + 3) / 2  # Mon → Fri over Thanksgiving is 3 business days


def test_backtest_beats_the_carrier_table_on_small_data():
    report = run_backtest(generate_history(shipments=4000, seed=11), table=PUBLISHED_TABLE)
    model, baseline = report["overall"]["model"], report["overall"]["baseline"]
    assert report["test_shipments"] > 0 and report["train_shipments"] > report["test_shipments"]
    assert model["mae_days"] < baseline["mae_days"]
    assert model["median_width"] <= baseline["median_width"]
    assert model["inside"] > 0.85
    assert set(report["by_carrier"]["model"]) == set(report["by_carrier"]["baseline"])
    assert Config(**report["chosen"])


def test_backtest_command_prints_the_figures_and_stores_them(db, capsys):
    call_command("edd_backtest", shipments=1500, seed=2)
    out = capsys.readouterr().out
    for needle in ("model (lanes, refit every 7 d)", "carrier-table baseline", "inside", "MAE ratio", "goals:"):
        assert needle in out
    run = EddBacktestRun.objects.get()
    assert run.shipments == 1500 and run.report["overall"]["model"]["n"] > 0


def test_backtest_command_rejects_tiny_input(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("edd_backtest", shipments=10, no_save=True)


def test_bench_script_runs(tmp_path):
    result = subprocess.run([sys.executable, "bench/edd_accuracy.py", "--shipments", "2500", "--seeds", "4"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings",
                                 "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"})
    assert "MAE ratio model/baseline" in result.stdout, result.stderr
    assert "carrier-table baseline" in result.stdout


def test_edd_refresh_command(db, capsys):
    from datetime import datetime, timedelta, timezone

    from tests.factories import ShipmentFactory
    from tracking.carriers import status as st
    from tracking.models import LaneTransitStats, Shipment

    shipped = datetime.now(timezone.utc) - timedelta(days=3)
    done = ShipmentFactory(carrier="cj")
    Shipment.objects.filter(pk=done.pk).update(status=st.DELIVERED, shipped_at=shipped,
                                               delivered_at=shipped + timedelta(days=1))
    travelling = ShipmentFactory(carrier="cj")
    Shipment.objects.filter(pk=travelling.pk).update(status=st.IN_TRANSIT, shipped_at=shipped)
    call_command("edd_refresh")
    assert "predictions updated: 1" in capsys.readouterr().out
    assert LaneTransitStats.objects.count() == 2
    travelling.refresh_from_db()
    assert travelling.predicted_window_end is not None and travelling.initial_window_end is not None
