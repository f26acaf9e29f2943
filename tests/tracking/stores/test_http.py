"""The shared HTTP client: retries that honour Retry-After through backoff_seconds, timeouts on
reads versus non-idempotent writes, status mapping."""
import pytest
import requests
import responses

from tracking.stores.base import AuthError, InvalidRequest, NotFound, RateLimited, StoreUnavailable
from tracking.stores.http import StoreHTTP

URL = "https://api.example.com/v1"


@pytest.fixture
def http(sleeper):
    return StoreHTTP(base_url=URL, sleep=sleeper, max_retries=3)


@responses.activate
def test_json_with_decimal_numbers(http):
    responses.get(f"{URL}/x", json={"price": 1.10}, headers={"X-Thing": "1"})
    result = http.get("/x")
    assert str(result.data["price"]) == "1.1" and result.headers["X-Thing"] == "1" and result.status == 200


@responses.activate
def test_backoff_follows_the_one_rule(http, sleeper):
    for _ in range(3):
        responses.get(f"{URL}/x", status=502)
    responses.get(f"{URL}/x", json={})
    http.get("/x")
    # equal jitter: attempt n waits between half and all of min(cap, 0.5 * 2**n)
    assert [0.25 <= sleeper.waits[0] <= 0.5, 0.5 <= sleeper.waits[1] <= 1.0, 1.0 <= sleeper.waits[2] <= 2.0] == [True] * 3


@responses.activate
def test_http_date_retry_after(http, sleeper):
    responses.get(f"{URL}/x", status=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})  # in the past
    responses.get(f"{URL}/x", json={})
    http.get("/x")
    assert sleeper.waits == [0.0]


@pytest.mark.parametrize("value, seconds", [("2.0", 2.0), ("3", 3.0), ("-1", None), ("nan", None), ("soon", None),
                                            (None, None)])
def test_retry_after_forms(value, seconds):
    from tracking.stores.http import retry_after_seconds

    assert retry_after_seconds(value) == seconds


@responses.activate
def test_post_is_not_retried_on_5xx_and_says_the_outcome_is_unknown(http, sleeper):
    responses.post(f"{URL}/refunds", status=500)
    with pytest.raises(StoreUnavailable) as caught:
        http.post("/refunds", json={})
    assert caught.value.outcome_unknown and len(responses.calls) == 1 and sleeper.waits == []


@responses.activate
def test_post_is_retried_on_429_the_platform_did_nothing(http, sleeper):
    responses.post(f"{URL}/refunds", status=429, headers={"Retry-After": "1"})
    responses.post(f"{URL}/refunds", json={"id": 1}, status=201)
    assert http.post("/refunds", json={}).data == {"id": 1} and sleeper.waits == [1.0]


@responses.activate
def test_connect_timeouts_are_always_retried(http, sleeper):
    responses.post(f"{URL}/refunds", body=requests.ConnectTimeout("no route"))
    responses.post(f"{URL}/refunds", json={"id": 2}, status=201)
    assert http.post("/refunds", json={}).data == {"id": 2}


@responses.activate
def test_idempotent_post_is_retried(http):
    responses.post(f"{URL}/graphql", body=requests.ConnectionError("reset"))
    responses.post(f"{URL}/graphql", json={"data": {}})
    assert http.post("/graphql", json={}, idempotent=True).data == {"data": {}}


@pytest.mark.parametrize("status, error", [(401, AuthError), (403, AuthError), (404, NotFound), (400, InvalidRequest),
                                           (422, InvalidRequest), (409, InvalidRequest), (402, StoreUnavailable),
                                           (423, StoreUnavailable), (301, InvalidRequest)])
@responses.activate
def test_status_mapping(http, status, error):
    responses.get(f"{URL}/x", status=status, json={"message": "nope"}, headers={"Location": "https://elsewhere"})
    with pytest.raises(error):
        http.get("/x")


@responses.activate
def test_rate_limited_after_the_retries(http, sleeper):
    for _ in range(4):
        responses.get(f"{URL}/x", status=429)
    with pytest.raises(RateLimited):
        http.get("/x")
    assert len(sleeper.waits) == 3


@responses.activate
def test_a_2xx_that_is_not_json(http):
    responses.get(f"{URL}/x", body="<html>maintenance</html>", status=200)
    with pytest.raises(InvalidRequest):
        http.get("/x")


@responses.activate
def test_empty_2xx(http):
    responses.delete(f"{URL}/x", status=204)
    assert http.request("DELETE", "/x").data is None
