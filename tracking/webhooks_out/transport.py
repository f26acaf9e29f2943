"""The HTTP side of a delivery: requests-hardened resolves the host, refuses private addresses, connects
to the vetted IP (with the original host name for TLS) and never follows redirects."""
from __future__ import annotations

import requests
from django.conf import settings
from requests_hardened import Config, Manager

RESPONSE_EXCERPT_BYTES = 2048


def _manager() -> Manager:
    return Manager(Config(
        ip_filter_enable=True,
        ip_filter_allow_loopback_ips=settings.DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK,
        never_redirect=True,
        default_timeout=(settings.DOORSTEP_WEBHOOKS_CONNECT_TIMEOUT, settings.DOORSTEP_WEBHOOKS_READ_TIMEOUT),
        user_agent_override="Doorstep-Webhooks/1.0",
    ))


def post(url: str, *, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """POST and return (status code, the start of the response body). Raises requests.RequestException."""
    with _manager().get_session() as session:
        response: requests.Response = session.post(url, data=body.encode(), headers=headers, stream=True)
        try:
            excerpt = next(response.iter_content(RESPONSE_EXCERPT_BYTES), b"")
        finally:
            response.close()
    return response.status_code, excerpt.decode("utf-8", "replace")
