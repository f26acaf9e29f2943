from rest_framework import permissions

from tracking.models import ApiKey


class HasKeyScope(permissions.BasePermission):
    """Any valid key may read; only a write-scoped key may change anything."""

    message = "This API key is read-only; use a key with the write scope."

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return key.can_write
