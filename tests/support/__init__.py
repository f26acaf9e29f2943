"""Plain helpers the tests share: builders, HTTP helpers, fakes and fixture-file loaders.

Test modules import from here, never from a ``conftest.py``: conftest files hold only fixtures and
hooks. One module per subject:

- ``api``       KeyClient (an APIClient with a merchant API key), order_body, problem_fields
- ``fakes``     test carriers registered by dotted path (PollOnlyCarrier, FastCarrier, RefusingCarrier,
                PlainCarrier, FlakyCarrier) and RecordingSleep
- ``feedback``  surveys, answers and delivered parcels for the NPS tests
- ``fixtures``  loaders for recorded provider files (carriers, text-message providers, payments)
- ``gateways``  FileGateway: a payment gateway kept in files, for tests with a real worker (kill mid-call)
- ``messaging`` provider URLs, the 알림톡 template and its variables
- ``page``      order_link, add_events (tracking-page tests)
- ``redis_server`` RedisServer: a throw-away redis-server to stop and freeze (outage tests, bench)
- ``returns``   make_order (a delivered, paid order), ask (a return request)
- ``shops``     Shop (a merchant with a catalogue and purchases, for recommendation tests)
- ``webhooks``  how each carrier signs (signed, easypost_signature, url_token, sign_as), post, mock_body
"""
