from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from tracking.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """One bucket per API key, rate from settings.DOORSTEP_API_RATE (read per request, so tests and
    operators can change it without a restart of the class attributes)."""

    scope = "api_key"

    def get_rate(self):
        return settings.DOORSTEP_API_RATE

    def allow_request(self, request, view):
        # The rate is re-read each time: SimpleRateThrottle parses it once in __init__.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None  # unauthenticated requests fail before doing any work
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
