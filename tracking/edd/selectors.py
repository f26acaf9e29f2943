"""Reads shared by admin pages: live accuracy of delivered shipments against the window recorded
when they shipped."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from tracking.carriers import status as st
from tracking.models import Shipment
from tracking.edd import calendar as cal
from tracking.edd.accuracy import Outcome
from tracking.edd.zones import zone_for


def delivered_outcomes(*, since: datetime, merchant_id: int | None = None,
                       merchant_ids: Iterable[int] | None = None) -> list[Outcome]:
    """Delivered outbound parcels with a ship-time window, delivered since ``since``, of one merchant,
    of the merchants in ``merchant_ids``, or (neither given) of every merchant. One query."""
    rows = Shipment.objects.filter(status=st.DELIVERED, is_return=False, delivered_at__gte=since,
                                   initial_window_start__isnull=False, initial_window_end__isnull=False,
                                   initial_predicted_date__isnull=False)
    if merchant_id is not None:
        rows = rows.filter(merchant_id=merchant_id)
    if merchant_ids is not None:
        rows = rows.filter(merchant_id__in=merchant_ids)
    outcomes = []
    for values in rows.values_list("carrier", "origin_country", "origin_postal_code", "destination_country",
                                   "destination_postal_code", "delivered_at", "initial_window_start",
                                   "initial_window_end", "initial_predicted_date", "merchant__country",
                                   "merchant__timezone").iterator(chunk_size=2000):
        carrier, o_country, o_postal, d_country, d_postal, delivered_at, start, end, likely, m_country, m_tz = values
        o_country = o_country or m_country
        lane = f"{zone_for(o_country, o_postal)}→{zone_for(d_country, d_postal)}"
        outcomes.append(Outcome(carrier, lane, d_country, cal.local_date(delivered_at, d_country, m_tz),
                                start, end, likely))
    return outcomes
