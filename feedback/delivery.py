"""What "on time" and "EDD hit" mean, written once for a single parcel (Python, used when a survey
copies the facts) and once as database expressions (used by the metrics). Tests check they agree.

* Reference date = promised_delivery_date, else carrier_delivery_date, else predicted_delivery_date.
* On time = delivered on or before the reference date, comparing the delivery day in the merchant's
  time zone. No reference date → unknown (None), left out of rates.
* EDD hit = the delivery day lies inside the window Doorstep showed at ship time
  (Shipment.initial_window_* when the EDD feature records it, else predicted_window_*).
  No window → unknown.
"""
from __future__ import annotations

import zoneinfo
from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q
from django.db.models.functions import Coalesce, TruncDate

from tracking.models import Shipment

REFERENCE_FIELDS = ("promised_delivery_date", "carrier_delivery_date", "predicted_delivery_date")


def window_fields() -> tuple[str, str]:
    """The ship-time window when the model has one; otherwise the current prediction."""
    try:
        Shipment._meta.get_field("initial_window_start")
        return "initial_window_start", "initial_window_end"
    except FieldDoesNotExist:
        return "predicted_window_start", "predicted_window_end"


def local_delivery_date(shipment: Shipment, tz_name: str) -> date | None:
    if shipment.delivered_at is None:
        return None
    return shipment.delivered_at.astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def reference_date(shipment: Shipment) -> date | None:
    return next((getattr(shipment, f) for f in REFERENCE_FIELDS if getattr(shipment, f)), None)


def is_on_time(shipment: Shipment, tz_name: str) -> bool | None:
    delivered, ref = local_delivery_date(shipment, tz_name), reference_date(shipment)
    if delivered is None or ref is None:
        return None
    return delivered <= ref


def is_edd_hit(shipment: Shipment, tz_name: str) -> bool | None:
    start_f, end_f = window_fields()
    start, end = getattr(shipment, start_f), getattr(shipment, end_f)
    delivered = local_delivery_date(shipment, tz_name)
    if delivered is None or start is None or end is None:
        return None
    return start <= delivered <= end


def lane(shipment: Shipment) -> str:
    return f"{shipment.origin_country or '?'}→{shipment.destination_country or '?'}"


# --- the same rules as database expressions over Shipment rows ----------------------------------

def shipment_aliases(tz_name: str) -> dict:
    """Annotations to add with ``queryset.annotate(**shipment_aliases(tz))`` before using the Q objects below
    (annotate, not alias: aggregates may not refer to aliases)."""
    start_f, end_f = window_fields()
    return {
        "delivered_day": TruncDate("delivered_at", tzinfo=zoneinfo.ZoneInfo(tz_name)),
        "reference_day": Coalesce(*REFERENCE_FIELDS),
        "window_start": F(start_f),
        "window_end": F(end_f),
    }


ON_TIME_KNOWN = Q(delivered_at__isnull=False, reference_day__isnull=False)
ON_TIME = ON_TIME_KNOWN & Q(delivered_day__lte=F("reference_day"))
EDD_KNOWN = Q(delivered_at__isnull=False, window_start__isnull=False, window_end__isnull=False)
EDD_HIT = EDD_KNOWN & Q(delivered_day__gte=F("window_start"), delivered_day__lte=F("window_end"))
