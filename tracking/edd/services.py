"""Writes of delivery-date predictions and learned lane statistics."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracking.carriers import status as st
from tracking.edd import calendar as cal
from tracking.edd import engine
from tracking.edd.lanes import TransitSample, build_carrier_calibrations, build_distributions, build_scan_gaps
from tracking.edd.types import EddPrediction, LaneKey
from tracking.edd.zones import zone_for
from tracking.models import LaneTransitStats, Shipment, TrackingEvent

_PREDICTION_FIELDS = ["predicted_window_start", "predicted_window_end", "predicted_delivery_date",
                      "predicted_confidence", "prediction_basis", "prediction_explanation", "predicted_at"]
_INITIAL_FIELDS = ["initial_window_start", "initial_window_end", "initial_predicted_date",
                   "initial_prediction_basis"]


@transaction.atomic
def shipment_update_prediction(*, shipment: Shipment, now: datetime | None = None) -> EddPrediction | None:
    """Re-predict the shipment's delivery window from scratch and store it.

    Also records, once, the prediction made at ship time (``initial_*``) — only while the parcel is
    still travelling, so history imported after delivery never poses as a forecast — and fills
    ``promised_delivery_date`` with the product-page promise when the store sent none.
    """
    now = now or timezone.now()
    # Lock only the shipment row: merchant and order rows are shared by many parcels.
    locked = Shipment.objects.select_for_update(of=("self",)).select_related("merchant", "order").get(pk=shipment.pk)
    prediction = engine.current_prediction(locked, now=now)
    fields = list(_PREDICTION_FIELDS)
    if prediction is None:
        locked.predicted_window_start = locked.predicted_window_end = locked.predicted_delivery_date = None
        locked.predicted_confidence = None
        locked.prediction_basis = locked.prediction_explanation = ""
    else:
        locked.predicted_window_start = prediction.window_start
        locked.predicted_window_end = prediction.window_end
        locked.predicted_delivery_date = prediction.most_likely
        locked.predicted_confidence = prediction.confidence
        locked.prediction_basis = prediction.basis
        locked.prediction_explanation = prediction.explanation[:200]
    locked.predicted_at = now
    if locked.initial_window_start is None and locked.shipped_at is not None and locked.status not in st.TERMINAL:
        initial = engine.ship_time_prediction(locked)
        locked.initial_window_start, locked.initial_window_end = initial.window_start, initial.window_end
        locked.initial_predicted_date, locked.initial_prediction_basis = initial.most_likely, initial.basis
        fields += _INITIAL_FIELDS
    if locked.promised_delivery_date is None and not locked.is_return:
        locked.promised_delivery_date = engine.promised_date_for(locked)
        fields.append("promised_delivery_date")
    locked.save(update_fields=fields + ["updated_at"])
    for field in fields + ["updated_at"]:
        setattr(shipment, field, getattr(locked, field))
    return prediction


def transit_samples(*, since: datetime) -> list[TransitSample]:
    """One sample per delivered outbound parcel delivered since ``since``: its transit business days
    on the service's delivery calendar and its longest silence while in transit."""
    delivered = (Shipment.objects.filter(status=st.DELIVERED, is_return=False, shipped_at__isnull=False,
                                         delivered_at__gte=since))
    rows = (delivered.values_list("pk", "carrier", "service_level", "origin_country", "origin_postal_code",
                                  "destination_country", "destination_postal_code", "shipped_at", "delivered_at",
                                  "merchant__country", "merchant__timezone", "carrier_delivery_date")
            .iterator(chunk_size=2000))
    parcels, carrier_errors = {}, {}
    for (pk, carrier, service, o_country, o_postal, d_country, d_postal, shipped, delivered_at, m_country, m_tz,
         carrier_date) in rows:
        o_country = o_country or m_country
        if not d_country:
            continue
        days = engine.delivery_calendar(carrier, service, d_country)
        ship_day = cal.local_date(shipped, o_country, m_tz)
        delivered_day = cal.local_date(delivered_at, d_country, m_tz)
        key = LaneKey(carrier, service, zone_for(o_country, o_postal), zone_for(d_country, d_postal))
        parcels[pk] = (key, delivered_day, cal.business_days_between(ship_day, delivered_day, days), days,
                       cal.country_timezone(d_country, m_tz))
        if carrier_date is not None:
            carrier_errors[pk] = cal.business_days_between(cal.roll_forward(carrier_date, days), delivered_day, days)
    gaps = longest_gaps(delivered, parcels)
    return [TransitSample(key, day, transit, gaps.get(pk), carrier_errors.get(pk))
            for pk, (key, day, transit, _, _) in parcels.items()]


def longest_gaps(delivered, parcels: dict) -> dict[int, float]:
    """Each parcel's longest silence in working hours, counted from a scan that left it in transit to
    the next scan: how long a parcel on this lane may go unseen and still be fine. One pass over
    the events in (parcel, time) order; only the running maximum is kept."""
    longest: dict[int, float] = {}
    previous = None
    events = (TrackingEvent.objects.filter(shipment__in=delivered)
              .order_by("shipment_id", "occurred_at", "id").values_list("shipment_id", "occurred_at", "status")
              .iterator(chunk_size=5000))
    for shipment_id, occurred_at, status in events:
        if shipment_id not in parcels:
            previous = None
            continue
        if previous is not None and previous[0] == shipment_id and previous[2] == st.IN_TRANSIT:
            _, _, _, days, tz = parcels[shipment_id]
            gap = cal.business_hours_between(previous[1], occurred_at, days, tz)
            longest[shipment_id] = max(longest.get(shipment_id, 0.0), gap)
        else:
            longest.setdefault(shipment_id, 0.0)
        previous = (shipment_id, occurred_at, status)
    return longest


@transaction.atomic
def lane_stats_recompute(*, now: datetime | None = None) -> int:
    """Rebuild every lane's and region's distribution from recent deliveries. Returns rows kept."""
    now = now or timezone.now()
    samples = transit_samples(since=now - timedelta(days=settings.DOORSTEP_EDD_LOOKBACK_DAYS))
    distributions = build_distributions(samples, as_of=now.date(), half_life_days=settings.DOORSTEP_EDD_HALF_LIFE_DAYS)
    gaps = build_scan_gaps(samples, quantile=settings.DOORSTEP_DELAY_SILENCE_QUANTILE,
                           min_samples=int(settings.DOORSTEP_EDD_MIN_SAMPLES))
    calibrations = build_carrier_calibrations(samples, distributions,
                                              min_samples=int(settings.DOORSTEP_EDD_MIN_SAMPLES))
    kept = 0
    for (level, key), dist in distributions.items():
        LaneTransitStats.objects.update_or_create(
            level=level, carrier=key.carrier, service_level=key.service_level, origin_zone=key.origin_zone,
            destination_zone=key.destination_zone,
            defaults={"histogram": dist.as_json(), "sample_size": dist.sample_size,
                      "weight_total": dist.weight_total, "weight_sq_total": dist.weight_sq_total,
                      "p10": dist.quantile(0.1), "p50": dist.quantile(0.5), "p90": dist.quantile(0.9),
                      "scan_gap_hours": gaps.get((level, key)),
                      "carrier_estimate_bias_days": getattr(calibrations.get((level, key)), "bias_days", None),
                      "carrier_estimate_weight": getattr(calibrations.get((level, key)), "weight", None),
                      "computed_at": now},
        )
        kept += 1
    # Lanes with no delivery inside the lookback are stale: prediction falls back past them.
    LaneTransitStats.objects.filter(computed_at__lt=now).delete()
    return kept
