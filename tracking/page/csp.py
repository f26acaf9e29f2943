"""A strict Content-Security-Policy on shopper pages: no inline scripts or styles, assets from our
own origin only, images from https (merchant logos, proof-of-delivery photos).

Applied to everything except the prefixes in DOORSTEP_CSP_EXEMPT_PREFIXES (the API docs ship
inline scripts), so a new shopper page is protected without having to opt in. The admin (/admin/)
gets its own policy: scripts only from our origin (Django's admin has no inline script or handler),
inline style attributes allowed (our dashboards use a few), nothing framed, forms post only to us."""
from django.conf import settings

POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' https: data:",
    "style-src 'self'",
    "script-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


ADMIN_PREFIX = "/admin/"
ADMIN_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' https: data:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = tuple(settings.DOORSTEP_CSP_EXEMPT_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        if request.path.startswith(ADMIN_PREFIX):
            response["Content-Security-Policy"] = ADMIN_POLICY
        elif not request.path.startswith(self.exempt):
            response["Content-Security-Policy"] = POLICY
        return response
