"""manage.py carrier_track: prints what a carrier says about one parcel, writes nothing."""
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command
from responses import matchers

from tests.support.fixtures import fixture_bytes, fixture_json
from tracking.carriers.mock import make_tracking_number
from tracking.models import CarrierAccount, InboundWebhook, PendingEvent, Shipment, TrackingEvent
from tracking.ingest.accounts import carrier_account_create

TRACKER_DELIVERY = "https://apis.tracker.delivery/graphql"
KOREA_POST = ("http://openapi.epost.go.kr/trace/retrieveLongitudinalService/retrieveLongitudinalService/"
              "getLongitudinalDomesticList")
SWEET_TRACKER = "https://info.sweettracker.co.kr/api/v1/trackingInfo"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("carrier_track", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rows_written() -> tuple[int, ...]:
    return (TrackingEvent.objects.count(), Shipment.objects.count(), InboundWebhook.objects.count(),
            PendingEvent.objects.count(), CarrierAccount.objects.count())


@pytest.fixture
def tracker_delivery_env(monkeypatch):
    monkeypatch.setenv("DOORSTEP_TRACKERDELIVERY_CLIENT_ID", "env-id")
    monkeypatch.setenv("DOORSTEP_TRACKERDELIVERY_CLIENT_SECRET", "env-secret")


@pytest.mark.django_db
@responses.activate
def test_prints_one_line_per_event_oldest_first_and_writes_nothing(tracker_delivery_env):
    responses.post(TRACKER_DELIVERY, json=fixture_json("trackerdelivery", "track_delivered.json"))
    before = rows_written()
    out, err = run("--carrier", "trackerdelivery", "--carrier-code", "kr.cjlogistics", "--tracking-number", "1234567890")
    assert responses.calls[0].request.headers["Authorization"] == "TRACKQL-API-KEY env-id:env-secret"
    lines = out.splitlines()
    assert len(lines) == 7
    assert lines[0] == "2026-11-10T15:26:13+09:00\tin_transit\t-\t보내시는 고객님으로부터 상품을 인수받았습니다\t경기고양신삼송"
    assert lines[-1] == "2026-11-11T14:02:11+09:00\tdelivered\t-\t고객님의 상품이 배송완료 되었습니다.\t서울강남"
    times = [line.split("\t")[0] for line in lines]
    assert times == sorted(times)
    assert "trackerdelivery kr.cjlogistics 1234567890: 7 event(s)" in err
    assert rows_written() == before


@responses.activate
def test_reasons_are_printed(tracker_delivery_env):
    responses.post(TRACKER_DELIVERY, json=fixture_json("trackerdelivery", "track_attempt_fail.json"))
    out, _ = run("--carrier", "trackerdelivery", "--carrier-code", "kr.hanjin", "--tracking-number", "420123456789")
    assert "\tfailed_attempt\trecipient_unavailable\t수취인 부재로 배송하지 못했습니다.\t부산해운대" in out


@responses.activate
def test_base_url_comes_from_settings(tracker_delivery_env, settings):
    settings.DOORSTEP_TRACKERDELIVERY_API_URL = "http://127.0.0.1:4000/graphql"
    responses.post("http://127.0.0.1:4000/graphql", json=fixture_json("trackerdelivery", "track_delivered.json"))
    out, _ = run("--carrier", "trackerdelivery", "--carrier-code", "kr.cjlogistics", "--tracking-number", "1234567890")
    assert len(out.splitlines()) == 7


@responses.activate
def test_sweet_tracker_with_a_raw_code_and_the_environment_key(monkeypatch):
    monkeypatch.setenv("DOORSTEP_SWEETTRACKER_API_KEY", "st-env")
    responses.get(SWEET_TRACKER, match=[matchers.query_param_matcher(
        {"t_key": "st-env", "t_code": "05", "t_invoice": "420123456789"})],
        json=fixture_json("sweettracker", "tracking_failed_attempt.json"))
    out, _ = run("--carrier", "sweettracker", "--carrier-code", "05", "--tracking-number", "420123456789")
    assert out.splitlines()[-2].split("\t")[1:] == ["failed_attempt", "recipient_unavailable", "미배달(수취인 부재)", "부산해운대"]


@pytest.mark.django_db
@responses.activate
def test_account_credentials_are_used(merchant):
    account = carrier_account_create(merchant=merchant, carrier="koreapost", api_key="account-service-key").account
    responses.get(KOREA_POST, match=[matchers.query_param_matcher(
        {"serviceKey": "account-service-key", "rgist": "6012345678901"})],
        body=fixture_bytes("koreapost", "domestic_delivered.xml"), content_type="text/xml")
    before = rows_written()
    out, _ = run("--carrier", "koreapost", "--tracking-number", "6012345678901", "--account", account.public_id)
    assert out.splitlines()[-1] == "2026-11-11T16:26:00+09:00\tdelivered\t-\t배달완료 (배달(수령인:본인 - 본인))\t부산해운대우체국"
    assert rows_written() == before


@pytest.mark.django_db
def test_unknown_account(merchant):
    with pytest.raises(CommandError, match="no carrier account"):
        run("--carrier", "koreapost", "--tracking-number", "6012345678901", "--account", "ca_nope")


@pytest.mark.django_db
def test_account_of_another_carrier(merchant):
    account = carrier_account_create(merchant=merchant, carrier="mock").account
    with pytest.raises(CommandError, match="is a mock account, not koreapost"):
        run("--carrier", "koreapost", "--tracking-number", "6012345678901", "--account", account.public_id)


def test_unknown_carrier():
    with pytest.raises(CommandError, match="unknown carrier 'pigeon'"):
        run("--carrier", "pigeon", "--tracking-number", "1")


@responses.activate
def test_not_found(tracker_delivery_env):
    responses.post(TRACKER_DELIVERY, json=fixture_json("trackerdelivery", "error_not_found.json"))
    with pytest.raises(CommandError, match="does not know tracking number '1234567890'"):
        run("--carrier", "trackerdelivery", "--carrier-code", "kr.cjlogistics", "--tracking-number", "1234567890")


@responses.activate
def test_auth_error(monkeypatch):
    monkeypatch.setenv("DOORSTEP_SWEETTRACKER_API_KEY", "wrong")
    responses.get(SWEET_TRACKER, json=fixture_json("sweettracker", "error_101.json"))
    with pytest.raises(CommandError, match="refused the credentials"):
        run("--carrier", "sweettracker", "--carrier-code", "kr.cjlogistics", "--tracking-number", "123456789013")


@responses.activate
def test_missing_environment_credentials_are_an_auth_error(monkeypatch):
    monkeypatch.delenv("DOORSTEP_TRACKERDELIVERY_CLIENT_ID", raising=False)
    monkeypatch.delenv("DOORSTEP_TRACKERDELIVERY_CLIENT_SECRET", raising=False)
    with pytest.raises(CommandError, match="refused the credentials"):
        run("--carrier", "trackerdelivery", "--carrier-code", "kr.cjlogistics", "--tracking-number", "1234567890")
    assert not responses.calls


@responses.activate
def test_rate_limited(tracker_delivery_env):
    responses.post(TRACKER_DELIVERY, json=fixture_json("trackerdelivery", "error_rate_limited.json"), status=429,
                   headers={"Retry-After": "3600"})
    with pytest.raises(CommandError, match="rate limiting us; retry in 3600 s"):
        run("--carrier", "trackerdelivery", "--carrier-code", "kr.cjlogistics", "--tracking-number", "1234567890")


@responses.activate
def test_unavailable_and_invalid(tracker_delivery_env, monkeypatch):
    responses.post(TRACKER_DELIVERY, body=b"<!DOCTYPE html><html>maintenance</html>", content_type="text/html")
    with pytest.raises(CommandError, match="unavailable right now"):
        run("--carrier", "trackerdelivery", "--carrier-code", "kr.cjlogistics", "--tracking-number", "1234567890")
    monkeypatch.setenv("DOORSTEP_KOREAPOST_SERVICE_KEY", "k")
    with pytest.raises(CommandError, match="cannot track this"):
        run("--carrier", "koreapost", "--tracking-number", "12345")


def test_the_mock_carrier_needs_no_network():
    number = make_tracking_number("on_time", datetime.now(UTC) - timedelta(days=10), 0)
    out, _ = run("--carrier", "mock", "--tracking-number", number)
    assert out.splitlines()[-1].split("\t")[1] == "delivered"
