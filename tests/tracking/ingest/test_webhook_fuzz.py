"""Property: whatever arrives at the webhook endpoint (headers, body, signed or not), the answer is
never a 5xx, every request leaves exactly one log row, and whatever is accepted can be processed."""
import json
import time
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings as hsettings, strategies as s

from tracking.carriers.mock import STATUS_MAP, sign_webhook
from tracking.models import InboundWebhook

from tests.support.webhooks import SECRET

header_names = s.sampled_from(["X-Mock-Timestamp", "X-Mock-Signature", "Content-Type", "X-Other", "User-Agent",
                               "Content-Encoding", "Cookie"])
# A WSGI server hands Django header bytes decoded as latin-1, so any byte is some char below 256.
wsgi_text = s.text(alphabet=s.characters(max_codepoint=255), max_size=80)
header_values = s.one_of(wsgi_text, s.integers().map(str), s.just("v1=" + "0" * 64))
json_scalars = s.one_of(s.none(), s.booleans(), s.integers(), s.floats(allow_nan=False), s.text(max_size=30))
json_values = s.recursive(json_scalars, lambda inner: s.one_of(s.lists(inner, max_size=4),
                                                               s.dictionaries(s.text(max_size=10), inner, max_size=4)),
                          max_leaves=12)
maybe_text = s.one_of(s.text(max_size=70), json_values)
event = s.fixed_dictionaries({
    "id": maybe_text,
    "status_code": s.one_of(s.sampled_from(sorted(STATUS_MAP)), maybe_text),
    "occurred_at": s.one_of(s.datetimes(timezones=s.timezones()).map(lambda d: d.isoformat()), maybe_text),
    "description": s.one_of(s.none(), maybe_text),
    "location": s.one_of(s.none(), maybe_text),
})
mock_like = s.fixed_dictionaries({
    "id": maybe_text,
    "type": s.one_of(s.just("tracking.updated"), maybe_text),
    "data": s.one_of(json_values, s.fixed_dictionaries({
        "tracking_number": maybe_text,
        "estimated_delivery": s.one_of(s.none(), s.dates().map(str), maybe_text),
        "events": s.one_of(s.lists(event, max_size=4), json_values),
    })),
}).map(lambda d: json.dumps(d).encode())
bodies = s.one_of(s.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()), mock_like)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, headers=s.dictionaries(header_names, header_values, max_size=5),
       sign=s.sampled_from(["no", "right", "wrong", "stale"]), known_account=s.booleans(),
       token=s.one_of(s.none(), s.text(max_size=20)))
def test_endpoint_never_answers_5xx(client, account, django_capture_on_commit_callbacks, body, headers, sign,
                                    known_account, token):
    if sign != "no":
        secret = "wrong" if sign == "wrong" else SECRET
        stamp = int(time.time()) - (3600 if sign == "stale" else 0)
        headers = {**headers, **sign_webhook(secret, body, stamp)}
    headers.pop("Content-Type", None)
    public_id = account.public_id if known_account else "unknown-" + account.public_id
    before = InboundWebhook.objects.count()
    with django_capture_on_commit_callbacks(execute=True):  # processing runs too, and must not raise
        response = client.post(f"/webhooks/carriers/{public_id}/", data=body, content_type="application/json",
                               headers=headers, QUERY_STRING=f"token={quote(token)}" if token is not None else "")
    assert response.status_code < 500
    assert response.status_code in (200, 202) or 400 <= response.status_code < 500
    assert InboundWebhook.objects.count() == before + 1
    row = InboundWebhook.objects.latest("id")
    if response.status_code == 202:
        assert row.verdict == "accepted" and row.processed_at is not None
    else:
        assert row.processed_at is None
