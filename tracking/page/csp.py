"""A strict Content-Security-Policy on shopper pages: no inline scripts or styles, assets from our
own origin only, images from https (merchant logos, proof-of-delivery photos).

Applied to everything except the prefixes in DOORSTEP_CSP_EXEMPT_PREFIXES (Django admin and the
API docs ship inline scripts), so a new shopper page is protected without having to opt in."""
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


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = tuple(settings.DOORSTEP_CSP_EXEMPT_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.exempt) and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = POLICY
        return response
