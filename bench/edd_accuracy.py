"""EDD accuracy: learned lanes vs the static carrier table, measured in the same run.

    python bench/edd_accuracy.py [--shipments 20000] [--seeds 7,11,23]

For each seed: generate lane history, split by time, tune on the training period only, and print
share inside the window, share late, MAE (business days) and median window width for the model and
for the carrier-table baseline, then the MAE ratio model/baseline. Last, the figures over all seeds.
"""
import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from tracking.edd.backtest import run_backtest  # noqa: E402
from tracking.edd.history import PUBLISHED_TABLE, generate_history  # noqa: E402
from tracking.edd.report import GOAL_INSIDE, GOAL_MAE_RATIO, GOAL_WIDTH, goals, render  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipments", type=int, default=20000)
    parser.add_argument("--seeds", default="7,11,23")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    rows = []
    for seed in seeds:
        report = run_backtest(generate_history(shipments=args.shipments, seed=seed), table=PUBLISHED_TABLE)
        print(f"=== seed {seed}, {args.shipments} generated shipments")
        print(render(report))
        print()
        rows.append((report["overall"]["model"], report["overall"]["baseline"], goals(report)["ratio"]))
    mean = statistics.mean
    model_inside = mean(r[0]["inside"] for r in rows)
    model_width = statistics.median(r[0]["median_width"] for r in rows)
    ratio = mean(r[2] for r in rows)
    print(f"=== over {len(seeds)} seeds")
    print(f"model:    inside {model_inside:.1%}  late {mean(r[0]['late'] for r in rows):.1%}  "
          f"MAE {mean(r[0]['mae_days'] for r in rows):.3f} bd  median width {model_width:g} bd")
    print(f"baseline: inside {mean(r[1]['inside'] for r in rows):.1%}  late {mean(r[1]['late'] for r in rows):.1%}  "
          f"MAE {mean(r[1]['mae_days'] for r in rows):.3f} bd  median width "
          f"{statistics.median(r[1]['median_width'] for r in rows):g} bd")
    print(f"MAE ratio model/baseline: {ratio:.2f} (goal ≤ {GOAL_MAE_RATIO})")
    met = model_inside >= GOAL_INSIDE and model_width <= GOAL_WIDTH and ratio <= GOAL_MAE_RATIO
    print("goals " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
