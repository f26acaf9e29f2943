"""The mock carrier's Korean flavour: same journeys, Korean courier wording and places."""
from datetime import UTC, datetime, timedelta

import pytest

from tracking.carriers.base import CarrierCredentials
from tracking.carriers.korean_text import classify
from tracking.carriers.mock import MockCarrier, all_scenario_events, make_tracking_number, simulate_deliveries
from tracking.carriers.mock.scenarios import KO_PLACES, KO_TEXT, STATUS_MAP, scenario_events

SHIPPED = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


def number(scenario: str, serial: int) -> str:
    return make_tracking_number(scenario, SHIPPED, serial)


def test_every_mock_code_has_a_korean_text():
    assert set(KO_TEXT) == set(STATUS_MAP)


@pytest.mark.parametrize("code", sorted(STATUS_MAP))
def test_korean_texts_say_what_the_codes_mean(code):
    # The wording is what a Korean courier prints, so Doorstep's own classifier agrees with it.
    assert classify(KO_TEXT[code])[0] == STATUS_MAP[code][0]


def test_a_domestic_journey_reads_like_a_korean_feed():
    events = all_scenario_events(number("on_time", serial=0), language="ko")  # serial 0: the Korean route
    assert [e.carrier_text for e in events] == [
        "운송장 등록", "집화처리", "간선상차", "간선하차", "터미널 분류", "간선상차", "간선하차", "터미널 분류", "간선상차",
        "간선하차", "배송출발", "배달완료"]
    assert [e.location for e in events[:5]] == ["서울 강남구", "서울 강남구", "서울 강남구", "곤지암Hub", "곤지암Hub"]
    assert "대전HUB" in {e.location for e in events}
    assert events[-1].location == "부산 해운대구"


def test_failed_attempt_in_korean():
    texts = [e.carrier_text for e in all_scenario_events(number("failed_then_delivered", serial=3), language="ko")]
    assert "미배달(수취인 부재)" in texts and texts[-1] == "배달완료"


@pytest.mark.parametrize("scenario", ["on_time", "customs_hold", "returned_to_sender", "return_to_warehouse"])
@pytest.mark.parametrize("serial", [0, 1, 2])
def test_only_texts_and_korean_places_change(scenario, serial):
    tn = number(scenario, serial)
    english, korean = all_scenario_events(tn), all_scenario_events(tn, language="ko")
    assert len(english) == len(korean)
    for en, ko in zip(english, korean, strict=True):
        assert (en.occurred_at, en.status, en.reason, en.carrier_code, en.carrier_event_id, en.details) == \
               (ko.occurred_at, ko.status, ko.reason, ko.carrier_code, ko.carrier_event_id, ko.details)
        assert ko.location == KO_PLACES.get(en.location, en.location)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        scenario_events(number("on_time", 0), now=SHIPPED, language="fr")


def test_the_account_option_selects_the_flavour():
    tn = number("on_time", serial=0)
    korean = MockCarrier(CarrierCredentials(extra={"language": "ko"}))
    english = MockCarrier()
    odd = MockCarrier(CarrierCredentials(extra={"language": "xx"}))
    for carrier in (korean, english, odd):
        carrier.clock = lambda: SHIPPED + timedelta(days=5)
    assert korean.track(tn).events[-1].carrier_text == "배달완료"
    assert english.track(tn).events[-1].carrier_text == "Delivered"
    assert odd.track(tn).events[-1].carrier_text == "Delivered"


def test_simulated_webhooks_carry_korean_texts():
    deliveries = list(simulate_deliveries(secret="s", count=3, scenario_mix=["on_time"], now=SHIPPED, clock=lambda: 1.0,
                                          duplicate_rate=0, out_of_order_rate=0, language="ko"))
    carrier = MockCarrier(CarrierCredentials(webhook_secret="s"))
    texts = [carrier.parse_webhook(headers=headers, body=body)[0].events[0].carrier_text for headers, body in deliveries]
    assert texts == ["운송장 등록", "집화처리", "간선상차"]
