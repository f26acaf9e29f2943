"""Server-rendered SVG charts (no JavaScript, no CDN). Each chart is a plain dict of shapes that the
template ``feedback/admin/chart.html`` draws; the same table is printed beside it as the text
alternative."""
from __future__ import annotations

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 40, 40, 16


def bar_chart(rows: list[dict], *, label_key: str, value_key: str, title: str, signed: bool = False,
              high: float | None = None) -> dict:
    """Vertical bars. ``signed`` charts (NPS, −100..+100) draw a zero line in the middle."""
    values = [r.get(value_key) for r in rows]
    numeric = [v for v in values if v is not None]
    if signed:
        low, high = -100.0, 100.0
    else:
        low, high = 0.0, float(high or max(numeric, default=0) or 1)
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    plot_w = WIDTH - PAD_LEFT - 8

    def y(v: float) -> float:
        return PAD_TOP + (high - v) / (high - low) * plot_h

    zero = y(0.0)
    slot = plot_w / max(len(rows), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    bars = []
    for i, (row, value) in enumerate(zip(rows, values)):
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        label = str(row.get(label_key))
        if value is None:
            bars.append({"x": round(x, 1), "label": label, "value": None, "missing": True,
                         "label_x": round(x + bar_w / 2, 1)})
            continue
        top, bottom = sorted((y(float(value)), zero))
        bars.append({
            "x": round(x, 1), "y": round(top, 1), "w": round(bar_w, 1), "h": round(max(bottom - top, 1), 1),
            "label": label, "value": value, "negative": float(value) < 0, "label_x": round(x + bar_w / 2, 1),
            "value_y": round(top - 4 if float(value) >= 0 else bottom + 12, 1),
        })
    show_labels = len(rows) <= 16
    return {"title": title, "width": WIDTH, "height": HEIGHT, "bars": bars, "zero_y": round(zero, 1),
            "axis_x": PAD_LEFT, "axis_end": WIDTH - 8, "label_y": HEIGHT - PAD_BOTTOM + 16,
            "show_labels": show_labels, "signed": signed, "top_label": int(high), "bottom_label": int(low),
            "top_y": PAD_TOP, "bottom_y": HEIGHT - PAD_BOTTOM}
