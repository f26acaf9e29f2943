"""The registry turns settings and the environment into CarrierCredentials; adapters never read them."""
import pytest
import requests
import responses

from tracking.carriers.base import AuthError, CarrierCredentials, CarrierUnavailable
from tracking.carriers.dhl import DHLAdapter
from tracking.carriers.easypost import EasyPostAdapter
from tracking.carriers.http import CarrierHTTP
from tracking.carriers.registry import (
    environment_credentials,
    get_adapter,
    provider_api_url,
    with_provider_defaults,
)
from tracking.carriers.shippo import ShippoAdapter


def test_provider_api_url_reads_the_per_provider_setting(settings):
    settings.DOORSTEP_EASYPOST_API_URL = " http://127.0.0.1:9000/v2 "
    assert provider_api_url("easypost") == "http://127.0.0.1:9000/v2"
    assert provider_api_url("shippo") == ""  # unset: the adapter's production URL
    assert provider_api_url("no-such-carrier") == ""


def test_environment_credentials_for_each_provider(settings):
    settings.DOORSTEP_SWEETTRACKER_API_URL = "http://127.0.0.1:9001"
    environ = {
        "DOORSTEP_TRACKERDELIVERY_CLIENT_ID": "cid",
        "DOORSTEP_TRACKERDELIVERY_CLIENT_SECRET": "csecret",
        "DOORSTEP_KOREAPOST_SERVICE_KEY": "kp-key",
        "DOORSTEP_SWEETTRACKER_API_KEY": "st-key",
        "DOORSTEP_SWEETTRACKER_WEBHOOK_SECRET": "st-hook",
        "DOORSTEP_EASYPOST_API_KEY": "ep-key",
        "DOORSTEP_SHIPPO_API_KEY": "sh-key",
        "DOORSTEP_DHL_API_KEY": "dhl-key",
    }
    assert environment_credentials("trackerdelivery", environ=environ).api_key == "cid:csecret"
    assert environment_credentials("koreapost", environ=environ).api_key == "kp-key"
    sweet = environment_credentials("sweettracker", environ=environ)
    assert (sweet.api_key, sweet.webhook_secret, sweet.api_url) == ("st-key", "st-hook", "http://127.0.0.1:9001")
    assert environment_credentials("easypost", environ=environ).api_key == "ep-key"
    assert environment_credentials("shippo", environ=environ).api_key == "sh-key"
    assert environment_credentials("dhl", environ=environ).api_key == "dhl-key"


def test_half_a_tracker_delivery_key_is_no_key():
    assert environment_credentials("trackerdelivery", environ={"DOORSTEP_TRACKERDELIVERY_CLIENT_ID": "cid"}).api_key == ""
    assert environment_credentials("trackerdelivery", environ={}) == CarrierCredentials()


def test_environment_credentials_read_the_process_environment(monkeypatch):
    monkeypatch.setenv("DOORSTEP_DHL_API_KEY", "from-env")
    assert environment_credentials("dhl").api_key == "from-env"


def test_with_provider_defaults_keeps_an_explicit_url(settings):
    settings.DOORSTEP_DHL_API_URL = "http://fake-dhl.local"
    assert with_provider_defaults("dhl", CarrierCredentials(api_key="k")).api_url == "http://fake-dhl.local"
    mine = CarrierCredentials(api_key="k", api_url="http://mine.local")
    assert with_provider_defaults("dhl", mine) is mine


def test_get_adapter_fills_the_url_from_settings(settings):
    settings.DOORSTEP_DHL_API_URL = "http://fake-dhl.local"
    adapter = get_adapter("dhl", CarrierCredentials(api_key="k"))
    assert adapter.credentials.api_url == "http://fake-dhl.local"
    assert get_adapter("dhl").credentials.api_url == "http://fake-dhl.local"


@pytest.mark.parametrize("adapter_cls, method, url", [
    (EasyPostAdapter, "post", "http://127.0.0.1:9999/v2/trackers"),
    (ShippoAdapter, "get", "http://127.0.0.1:9999/v2/tracks/ups/1Z999AA10123456784"),
    (DHLAdapter, "get", "http://127.0.0.1:9999/v2/track/shipments"),
])
@responses.activate
def test_existing_clients_use_api_url_instead_of_production(adapter_cls, method, url):
    getattr(responses, method)(url, json={}, status=401)
    adapter = adapter_cls(CarrierCredentials(api_key="k", api_url="http://127.0.0.1:9999/v2"))
    with pytest.raises(AuthError):  # the fake answers 401: what matters is where the request went
        adapter.track("1Z999AA10123456784")
    assert responses.calls[0].request.url.startswith("http://127.0.0.1:9999/v2/")


@responses.activate
def test_fetch_returns_the_raw_body_and_request_refuses_html():
    responses.get("https://carrier.test/xml", body=b"<a>1</a>", content_type="text/xml")
    responses.get("https://carrier.test/json", body=b"<!DOCTYPE html><html>maintenance</html>", content_type="text/html")
    http = CarrierHTTP(base_url="https://carrier.test", sleep=lambda s: None)
    assert http.fetch("GET", "/xml").content == b"<a>1</a>"
    with pytest.raises(CarrierUnavailable, match="HTML page"):
        http.get("/json")


@responses.activate
def test_connection_errors_do_not_leak_query_string_keys():
    responses.get("https://carrier.test/track", body=requests.ConnectionError("refused"))
    http = CarrierHTTP(base_url="https://carrier.test", sleep=lambda s: None, max_retries=0)
    with pytest.raises(CarrierUnavailable) as caught:
        http.get("https://carrier.test/track?t_key=SECRET&t_invoice=1")
    assert "SECRET" not in str(caught.value)
