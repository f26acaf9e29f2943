"""Small pure helpers the platform parsers share: JSON with Decimal numbers, money, text, ids,
timestamps. Every helper is total: junk in gives a neutral value out (None, "", 0), never an
exception, so a parser fails only where it decides to (with WebhookRejected / InvalidRequest)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from tracking.carriers.parsing import parse_datetime as _parse_iso
from tracking.stores.base import WebhookRejected

MAX_MONEY = Decimal("1e15")  # larger amounts are junk, not money
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TRACKING_OK = re.compile(r"^[A-Za-z0-9-]{4,40}$")


def loads(text: str | bytes):
    """json.loads with every decimal number read as Decimal (never float)."""
    return json.loads(text, parse_float=Decimal)


def load_json_object(body: bytes) -> dict:
    """A webhook body: 400 when it is not JSON, 422 when it is JSON but not an object."""
    try:
        document = loads(body)
    except (ValueError, TypeError, RecursionError):
        raise WebhookRejected("body is not JSON", status=400, reason_code=WebhookRejected.REASON_BODY) from None
    if not isinstance(document, dict):
        raise WebhookRejected("body must be a JSON object", status=422, reason_code=WebhookRejected.REASON_SHAPE)
    return document


def obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def items(value) -> list:
    return value if isinstance(value, list) else []


def dicts(value) -> list[dict]:
    return [v for v in items(value) if isinstance(v, dict)]


def text(value, limit: int = 500) -> str:
    """Strings trimmed and capped; numbers (ids) as their text; anything else ""."""
    if isinstance(value, str):
        return value.strip()[:limit]
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)[:limit]
    return ""


def ident(value) -> str:
    """A platform id as text: ints and non-empty strings (GraphQL gids reduced to their number)."""
    raw = text(value, 200)
    if raw.startswith("gid://"):
        return raw.rsplit("/", 1)[-1].split("?", 1)[0]
    return raw


def opt_ident(value) -> str | None:
    """Like ident, but None for missing, null, 0 and "0" (how platforms say "deleted")."""
    raw = ident(value)
    return raw if raw and raw != "0" else None


def money(value) -> Decimal | None:
    """Decimal from a string, int or Decimal. Never from float (JSON is read with parse_float=Decimal,
    so a float here means a caller bug: refused). None for junk, NaN, infinities, absurd sizes."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str) and value.strip() and len(value) <= 40:
        try:
            number = Decimal(value.strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    if not number.is_finite() or abs(number) >= MAX_MONEY:
        return None
    return number


def money0(value) -> Decimal:
    amount = money(value)
    return amount if amount is not None else Decimal("0")


def quantity(value) -> int:
    """A line quantity; 0 for junk (a line with quantity 0 is kept, callers may skip it)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if abs(value) < 10**9 else 0
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value() and abs(value) < 10**9:
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) < 10:
        return int(value.strip())
    return 0


def currency(value) -> str:
    """A 3-letter code, upper-cased (unknown but well-formed codes are kept); "" for junk."""
    code = text(value, 10).upper()
    return code if _CURRENCY.fullmatch(code) else ""


def when(value, *, assume=timezone.utc) -> datetime | None:
    """ISO 8601 → aware datetime ("Z" allowed, naive taken as ``assume``); unix seconds (int or
    digit string) too. None when unusable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            seconds = int(value)
            if not 0 < seconds < 10**11:
                return None
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            return None
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return _parse_iso(value, assume=assume)
    except (ValueError, OverflowError):
        return None


def tracking_number(value) -> tuple[str, bool]:
    """(number as given but trimmed, suspicious?). Suspicious: characters or a length no carrier
    uses (spaces, punctuation, Hangul, < 4 or > 40 characters)."""
    number = text(value, 100)
    return number, not bool(_TRACKING_OK.fullmatch(number))


def truthy(value) -> bool:
    """Platform booleans: true, "T", "Y", "1", 1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    return isinstance(value, str) and value.strip().upper() in {"T", "Y", "TRUE", "1", "YES"}
