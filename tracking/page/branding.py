"""Brand colour checks (WCAG 2.1 contrast) and the per-merchant stylesheet built from theme tokens.

Pure functions, no Django models: Merchant.clean rejects colours that fail, and the stylesheet
darkens any stored colour that slipped past validation (bulk/API writes), so the page is never
rendered with unreadable text."""
from __future__ import annotations

import re

HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
# WCAG 2.1 1.4.3 (text, AA) and 1.4.11 (focus rings and other non-text UI).
TEXT_CONTRAST = 4.5
UI_CONTRAST = 3.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    if not HEX_RE.match(hex_colour or ""):
        raise ValueError(f"not a #rrggbb colour: {hex_colour!r}")
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken_until(hex_colour: str, *, against: str = WHITE, ratio: float = TEXT_CONTRAST) -> str:
    """The closest darker shade of ``hex_colour`` (same hue, scaled towards black) that reaches
    ``ratio`` against ``against``. Returns the colour unchanged when it already passes."""
    if contrast_ratio(hex_colour, against) >= ratio:
        return hex_colour.lower()
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    # Binary search on the scale factor: contrast grows monotonically as the colour darkens.
    low, high = 0.0, 1.0
    for _ in range(24):
        mid = (low + high) / 2
        candidate = _scaled(r, g, b, mid)
        if contrast_ratio(candidate, against) >= ratio:
            low = mid
        else:
            high = mid
    return _scaled(r, g, b, low)


def _scaled(r: int, g: int, b: int, factor: float) -> str:
    return "#" + "".join(f"{int(c * factor):02x}" for c in (r, g, b))


def brand_stylesheet(*, primary: str, accent: str) -> str:
    """CSS custom properties from validated tokens only: nothing the merchant typed reaches the
    stylesheet except colours that match #rrggbb. (The font is a body class from a fixed list.)"""
    primary = darken_until(primary if HEX_RE.match(primary or "") else "#1a56db")
    accent = darken_until(accent if HEX_RE.match(accent or "") else "#0e9f6e", ratio=UI_CONTRAST)
    return (
        ":root {\n"
        f"  --brand: {primary};\n"
        f"  --brand-contrast: {WHITE};\n"
        f"  --accent: {accent};\n"
        "}\n"
    )
