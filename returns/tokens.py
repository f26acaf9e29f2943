"""Signed links to a return's own page. The order link (purpose "order") is tracking's."""
from django.conf import settings
from django.urls import reverse

from tracking.tokens import make_token, read_token

RETURN_PURPOSE = "return"


def return_token(return_id: int) -> str:
    return make_token(RETURN_PURPOSE, {"r": return_id})


def read_return_token(token: str) -> int:
    payload = read_token(RETURN_PURPOSE, token, max_age=settings.DOORSTEP_LINK_MAX_AGE)
    return_id = payload.get("r")
    if not isinstance(return_id, int):
        from tracking.tokens import BadToken

        raise BadToken("no return id")
    return return_id


def return_url(return_id: int) -> str:
    return settings.DOORSTEP_BASE_URL + reverse("returns:detail", args=[return_token(return_id)])
