from __future__ import annotations


def pct(part, whole) -> float | None:
    """part / whole × 100, one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(float(part) * 100.0 / float(whole), 1)
