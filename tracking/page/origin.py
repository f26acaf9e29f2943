"""Cross-site request forgery defence for the shopper's forms that need no per-visitor token.

The order page's forms (fix a failed delivery, shipping emails) post to URLs that carry the order's
signed link token, and the language switch changes nothing but a preference cookie. A forged
cross-site form cannot name the order without knowing that token, which is the secret Django's
CSRF token would otherwise be. Dropping the per-visitor token lets one cached copy of the page serve
every visitor unchanged (no CSRF cookie to create, no token to splice into the HTML).

What is still checked, as defence in depth, is what the browser itself says about the request's
origin: ``Sec-Fetch-Site`` (every current browser sends it) must be same-origin or user-initiated,
and an ``Origin`` header, when present, must be this site or one of CSRF_TRUSTED_ORIGINS. A client
that sends neither (curl, an old browser) still needs the signed token in the URL."""
from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt

ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})  # "none": typed, bookmarked or reloaded


def origin_allowed(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ALLOWED_FETCH_SITES:
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if origin == "null":  # sandboxed frames and some privacy redirects: never ours
        return False
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # Django answers such a request with 400 anyway; never trust it here
        return False
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


def same_origin_post(view):
    """Exempt ``view`` from Django's token check and reject requests a browser marks cross-site."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS") and not origin_allowed(request):
            return HttpResponseForbidden("Cross-site form submissions are not accepted.",
                                         content_type="text/plain; charset=utf-8")
        return view(request, *args, **kwargs)
    return csrf_exempt(wrapper)
