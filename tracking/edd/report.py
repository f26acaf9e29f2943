"""Plain-text rendering of a backtest report (management command and bench script share it)."""
from __future__ import annotations

GOAL_INSIDE = 0.90
GOAL_WIDTH = 3
GOAL_MAE_RATIO = 0.7
LABELS = {"model": "model (lanes, refit every {refit} d)", "model_frozen": "model (lanes frozen at split)",
          "baseline": "carrier-table baseline"}


def _row(label: str, s: dict) -> str:
    return (f"{label:<46} {s['inside']:>7.1%} {s['late']:>6.1%} {s['early']:>6.1%} {s['mae_days']:>8.3f}"
            f" {s['median_width']:>6g} {s['n']:>7}")


def _header(first: str) -> str:
    return f"{first:<46} {'inside':>7} {'late':>6} {'early':>6} {'MAE bd':>8} {'width':>6} {'n':>7}"


def goals(report: dict) -> dict:
    model, base = report["overall"]["model"], report["overall"]["baseline"]
    ratio = model["mae_days"] / base["mae_days"] if base["mae_days"] else float("inf")
    return {"inside": model["inside"] >= GOAL_INSIDE, "width": model["median_width"] <= GOAL_WIDTH,
            "mae_ratio": ratio <= GOAL_MAE_RATIO, "ratio": ratio}


def render(report: dict, *, per_lane: bool = False) -> str:
    chosen = report["chosen"]
    lines = [
        f"split day {report['split_day']}: trained on {report['train_shipments']} deliveries before it, tested on "
        f"{report['test_shipments']} shipments shipped from it on",
        f"tuned on {report['validation_shipments']} validation shipments from the training period only: window "
        f"p{chosen['q_low'] * 100:g}–p{chosen['q_high'] * 100:g}, recency half-life {chosen['half_life_days']:g} d, "
        f"lanes need ≥ {chosen['min_samples']:g} effective deliveries (validation inside "
        f"{report['validation']['inside']:.1%} with windows of {report['validation']['mean_width']:.2f} business days "
        f"on average)",
        "",
        _header("overall (business days, window at ship time)"),
    ]
    for name, summary in report["overall"].items():
        lines.append(_row(LABELS[name].format(refit=report["refit_days"]), summary))
    g = goals(report)
    tick = {True: "met", False: "MISSED"}
    lines += [
        "",
        f"MAE ratio model/baseline: {g['ratio']:.2f}",
        f"goals: inside ≥ {GOAL_INSIDE:.0%}: {tick[g['inside']]} | median width ≤ {GOAL_WIDTH} business days: "
        f"{tick[g['width']]} | MAE ≤ {GOAL_MAE_RATIO}× baseline: {tick[g['mae_ratio']]}",
        "",
        _header("per carrier: model / baseline"),
    ]
    for carrier, summary in report["by_carrier"]["model"].items():
        lines.append(_row(f"{carrier} model", summary))
        lines.append(_row(f"{carrier} baseline", report["by_carrier"]["baseline"][carrier]))
    if per_lane:
        lines += ["", _header("per lane: model / baseline")]
        for lane, summary in report["by_lane"]["model"].items():
            lines.append(_row(f"{lane} model", summary))
            lines.append(_row(f"{lane} baseline", report["by_lane"]["baseline"][lane]))
    return "\n".join(lines)
