"""The CO₂ model behind the greenest-method hint."""
from returns import co2


def test_co2_drop_off_is_greenest_and_pickup_dearest():
    kw = {"origin_country": "KR", "destination_country": "KR"}
    drop, label, pickup = (co2.estimate_grams(m, **kw) for m in ("drop_off", "label", "pickup"))
    assert drop < label < pickup
    assert co2.estimate_grams("drop_off", origin_country="US", destination_country="KR") > drop
