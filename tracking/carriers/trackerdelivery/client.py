"""tracker.delivery HTTP: one GraphQL endpoint, ``POST /graphql`` with
``Authorization: TRACKQL-API-KEY <client id>:<client secret>``.

GraphQL reports most failures inside a 200 body (``errors[].extensions.code``); reading those is
parse.py's job. This module only sends documents and hands back the decoded body together with the
Retry-After the server sent, if any."""
from __future__ import annotations

from typing import Callable

import requests

from tracking.carriers.http import CarrierHTTP, parse_retry_after

BASE_URL = "https://apis.tracker.delivery/graphql"

# The fields Doorstep reads. ``events(last: …)`` returns the newest events, oldest first; 100 is far
# more than a parcel collects (the API's default page is 10).
_EVENT_FIELDS = "time status { code name } description location { name }"
TRACK_QUERY = (
    "query Track($carrierId: ID!, $trackingNumber: String!) {"
    " track(carrierId: $carrierId, trackingNumber: $trackingNumber) {"
    f" trackingNumber lastEvent {{ {_EVENT_FIELDS} }}"
    f" events(last: 100) {{ edges {{ node {{ {_EVENT_FIELDS} }} }} }}"
    " } }"
)
REGISTER_WEBHOOK_MUTATION = (
    "mutation RegisterTrackWebhook($input: RegisterTrackWebhookInput!) {"
    " registerTrackWebhook(input: $input) }"
)


def describe_graphql_error(response: requests.Response) -> str:
    """The first GraphQL error's code and message, for non-2xx answers that carry one."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "")[:200]
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        extensions = errors[0].get("extensions") if isinstance(errors[0].get("extensions"), dict) else {}
        code = extensions.get("code") if isinstance(extensions.get("code"), str) else ""
        message = errors[0].get("message") if isinstance(errors[0].get("message"), str) else ""
        return f"{code}: {message}"[:200] if code else message[:200]
    return str(body)[:200]


class TrackerDeliveryClient:
    def __init__(self, api_key: str, *, base_url: str = BASE_URL, sleep: Callable[[float], None] | None = None,
                 session: requests.Session | None = None):
        options = {"sleep": sleep} if sleep else {}
        self.url = base_url or BASE_URL
        self.http = CarrierHTTP(base_url=self.url, headers={"Authorization": f"TRACKQL-API-KEY {api_key}"},
                                session=session, describe_error=describe_graphql_error, **options)

    def execute(self, query: str, variables: dict) -> tuple[object, float | None]:
        """(decoded body, Retry-After seconds or None)."""
        response = self.http.fetch("POST", self.url, json={"query": query, "variables": variables})
        return self.http.decode_json(response), parse_retry_after(response.headers.get("Retry-After"))

    def track(self, carrier_id: str, tracking_number: str) -> tuple[object, float | None]:
        return self.execute(TRACK_QUERY, {"carrierId": carrier_id, "trackingNumber": tracking_number})

    def register_track_webhook(self, *, carrier_id: str, tracking_number: str, callback_url: str,
                               expiration_time: str) -> tuple[object, float | None]:
        return self.execute(REGISTER_WEBHOOK_MUTATION, {"input": {
            "carrierId": carrier_id,
            "trackingNumber": tracking_number,
            "callbackUrl": callback_url,
            "expirationTime": expiration_time,
        }})
