"""No byte sequence gets a 5xx: every public URL pattern and every API route (found by walking the URL
resolver, so a new route is fuzzed without anyone remembering to) is requested with hostile path
parameters — NUL and other control characters, over-long values, bytes that are not UTF-8, unicode —
anonymously and with a merchant's API key, by GET and POST. The answer is always below 500.

Plus the exact requests of issue 17 (item 5) and the body-size rules: a Content-Length beyond the
log column, a multipart body over the limit (refused before it is read), chunked webhook bodies."""
import io
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.test.client import FakePayload
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as s

from tests.support.api import KeyClient
from tests.support.webhooks import SECRET, mock_body, signed
from tracking.ingest.accounts import carrier_account_create
from tracking.models import InboundWebhook

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "static/")  # staff-only (its own walk in tests/tracking/staff) and files
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


def routes(resolver=None, prefix=""):
    """Every route template under the root URLconf, e.g. "api/v1/orders/<ident:number>/"."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            if isinstance(entry, URLResolver):
                continue  # regex-mounted includes (Django's i18n patterns): nothing of ours
            found.append(prefix + "<any:rest>")  # a regex route (the /api/ catch-all): any tail
            continue
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(routes(entry, route))
        elif isinstance(entry, URLPattern):
            found.append(route)
    return sorted({r for r in found if not r.startswith(SKIPPED_PREFIXES)})


ROUTES = routes()
PARAMETERISED = [r for r in ROUTES if PARAM.search(r)]

hostile_text = s.one_of(
    s.text(max_size=40),
    s.text(alphabet=s.characters(max_codepoint=0x1f), min_size=1, max_size=5),  # NUL and friends
    s.sampled_from(["\x00", "a\x00b", "%00", "1001\x00", "\x7f", "..", ".", " ", "\u202e", "😀", "x" * 5000]),
    s.integers().map(str),
    s.text(max_size=3).map(lambda t: t * 400),  # over-long
)


def encode(value: str) -> str:
    return quote(value, safe="")


raw_bytes = s.binary(min_size=1, max_size=12).map(lambda b: "".join(f"%{byte:02X}" for byte in b))  # not UTF-8
segment = s.one_of(hostile_text.map(encode), raw_bytes)


def fill(route: str, values) -> str:
    it = iter(values)
    return "/" + PARAM.sub(lambda m: next(it), route)


def test_the_walk_finds_the_routes_of_issue_17():
    for route in ("webhooks/carriers/<ident:public_id>/", "api/v1/orders/<ident:number>/",
                  "api/v1/products/<ident:external_id>/", "api/v1/returns/<ident:rma>/",
                  "api/v1/store-credit/<ident:code>/", "t/<token:token>/delivery/<ident:tracking_number>/",
                  "healthz", "readyz"):
        assert route in ROUTES
    assert len(PARAMETERISED) >= 20


@pytest.fixture
def api(merchant):
    return KeyClient(merchant)


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(data=s.data())
def test_no_route_answers_5xx_whatever_the_path_parameters(data, api):
    route = data.draw(s.sampled_from(PARAMETERISED), label="route")
    values = [data.draw(segment, label=m.group("name")) for m in PARAM.finditer(route)]
    url = fill(route, values)
    method = data.draw(s.sampled_from(["get", "post"]), label="method")
    client = api if route.startswith("api/") and data.draw(s.booleans(), label="with key") else Client()
    response = getattr(client, method)(url)
    assert response.status_code < 500, (url, method, response.status_code)


@pytest.mark.parametrize("route", [r for r in ROUTES if not PARAM.search(r)])
def test_every_route_without_parameters_answers_below_500(route, api):
    client = api if route.startswith("api/") else Client()
    for method in ("get", "post"):
        assert getattr(client, method)("/" + route).status_code < 500


@pytest.mark.parametrize("method, path, keyed", [
    ("post", "/webhooks/carriers/%00/", False),
    ("get", "/t/%00/", False),
    ("post", "/t/abc%00/delivery/%00/", False),
    ("get", "/api/v1/orders/%00/", True),
    ("get", "/api/v1/products/%00/", True),
    ("get", "/api/v1/returns/%00/", True),
    ("get", "/api/v1/store-credit/%00/", True),
    ("post", "/api/v1/store-credit/%00/redeem/", True),
    ("get", "/returns/staff/photos/%00/", False),
    ("get", "/f/s/%00/", False),
])
def test_the_requests_of_issue_17_answer_4xx(method, path, keyed, api):
    response = getattr(api if keyed else Client(), method)(path)
    assert 400 <= response.status_code < 500, response.status_code


@pytest.fixture
def account(merchant):
    return carrier_account_create(merchant=merchant, carrier="mock", webhook_secret=SECRET).account


def test_a_content_length_past_2_to_the_31_is_refused_and_logged_without_overflow(account, settings):
    settings.DOORSTEP_MAX_REQUEST_BYTES = 2**40  # let it reach the endpoint's own check
    response = Client().post(f"/webhooks/carriers/{account.public_id}/", data=b"{}", content_type="application/json",
                             CONTENT_LENGTH=str(2**31 + 5))
    assert response.status_code == 413
    assert InboundWebhook.objects.get().body_size == 2**31 - 1


def test_a_huge_multipart_upload_is_refused_before_it_is_read(client):
    class Unreadable(FakePayload):
        def read(self, *args, **kwargs):
            raise AssertionError("the body was read")

    response = client.generic("POST", "/returns/", data=b"", content_type="multipart/form-data; boundary=x",
                              **{"CONTENT_LENGTH": str(50 * 1024 * 1024), "wsgi.input": Unreadable(b"")})
    assert response.status_code == 413


def test_a_nonsense_content_length_is_a_400(client):
    response = client.generic("POST", "/track/", data=b"", CONTENT_LENGTH="-5")
    assert response.status_code == 400


def chunked_post(account, body, *, terminated):
    # What gunicorn hands over: the de-chunked body, read(n) returning at most n bytes until it ends.
    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(body)}
    if terminated:
        environ["wsgi.input_terminated"] = True
    return Client().generic("POST", f"/webhooks/carriers/{account.public_id}/", data=b"",
                            content_type="application/json", headers=signed(body), **environ)


def test_a_chunked_webhook_body_is_read_when_the_server_decoded_it(account, django_capture_on_commit_callbacks):
    body = mock_body()
    with django_capture_on_commit_callbacks(execute=True):
        response = chunked_post(account, body, terminated=True)
    assert response.status_code == 202
    assert bytes(InboundWebhook.objects.get().body) == body


def test_a_chunked_webhook_body_the_server_cannot_delimit_is_a_clean_411(account):
    response = chunked_post(account, mock_body(), terminated=False)
    assert response.status_code == 411
    assert InboundWebhook.objects.count() == 0


def test_a_chunked_webhook_body_over_the_limit_is_413(account):
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    response = chunked_post(account, body, terminated=True)
    assert response.status_code == 413
