"""``Authorization: Bearer <key>`` authentication. ``request.user`` is a stand-in (the key acts for its
merchant, not for a person); ``request.auth`` is the ApiKey, ``request.auth.merchant`` the tenant."""
from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from tracking.apikit.keys import api_key_authenticate


class ApiKeyUser(AnonymousUser):
    """Authenticated, but no Django user: permissions come from the key's scope."""

    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <api key>'.")
        key = api_key_authenticate(raw_key=parts[1])
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is invalid or has been revoked.")
        return ApiKeyUser(), key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when no credentials were sent.
        return f'{self.keyword} realm="api"'
