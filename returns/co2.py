"""Estimated CO₂ of each return method — a deliberately simple, documented model.

    grams = first_mile + linehaul

* linehaul: the parcel's share of a consolidated truck, ``LINEHAUL_G_PER_PARCEL_KM`` (≈1 g per
  parcel-km: a ~900 g/km truck carrying several hundred parcels) × distance. Distance is estimated
  from the countries: ``DOMESTIC_KM`` inside one country, ``INTERNATIONAL_KM`` across borders.
* first mile:
  - drop-off: the shopper's round trip to a nearby drop-off point (``DROP_OFF_TRIP_KM`` each way);
    most go on foot or on the way elsewhere, so only ``DROP_OFF_CAR_SHARE`` of trips count at a
    car's ``CAR_G_PER_KM``.
  - prepaid label: the same trip, plus printing the label (``LABEL_PRINT_G``: paper and toner).
  - pickup: a van detour to the door (``PICKUP_DETOUR_KM`` at ``VAN_G_PER_KM``), the dearest.

Figures are rounded estimates for comparing methods, not a carbon accounting.
"""
from __future__ import annotations

LINEHAUL_G_PER_PARCEL_KM = 1.0
DOMESTIC_KM = 300
INTERNATIONAL_KM = 2000
CAR_G_PER_KM = 170.0
VAN_G_PER_KM = 250.0
DROP_OFF_TRIP_KM = 1.5
DROP_OFF_CAR_SHARE = 0.25
LABEL_PRINT_G = 10.0
PICKUP_DETOUR_KM = 3.0


def distance_km(origin_country: str, destination_country: str) -> int:
    same = origin_country.strip().upper() == destination_country.strip().upper()
    return DOMESTIC_KM if same else INTERNATIONAL_KM


def estimate_grams(method: str, *, origin_country: str, destination_country: str) -> int:
    linehaul = LINEHAUL_G_PER_PARCEL_KM * distance_km(origin_country, destination_country)
    trip = 2 * DROP_OFF_TRIP_KM * CAR_G_PER_KM * DROP_OFF_CAR_SHARE
    first_mile = {
        "drop_off": trip,
        "label": trip + LABEL_PRINT_G,
        "pickup": PICKUP_DETOUR_KM * VAN_G_PER_KM,
    }[method]
    return round(first_mile + linehaul)
