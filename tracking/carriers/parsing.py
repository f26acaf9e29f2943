"""Small pure helpers the carrier parsers share: tolerant JSON, timestamps, stable ids."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

from tracking.carriers.base import WebhookRejected


def load_json_object(body: bytes) -> dict:
    """Decode a webhook body: 400 when it is not JSON, 422 when it is JSON but not an object."""
    try:
        document = json.loads(body)
    except (ValueError, TypeError, RecursionError):
        raise WebhookRejected("body is not JSON", status=400) from None
    if not isinstance(document, dict):
        raise WebhookRejected("body must be a JSON object", status=422)
    return document


def parse_datetime(value, *, assume=UTC) -> datetime | None:
    """ISO 8601 → aware datetime; naive values are taken to be in ``assume``. None when unusable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=assume)


def parse_date(value) -> date | None:
    """A date from 'YYYY-MM-DD' or any ISO datetime (its calendar date as written)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def stable_id(*parts) -> str:
    """A deterministic id for carriers whose events have none, so replays dedupe."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


def text(value, limit: int = 500) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def join_location(*parts) -> str:
    return ", ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
