"""The merchant REST API toolkit shared by tracking, returns and feedback.

How another app adds endpoints under /api/v1/ (see config/api_urls.py):

1. Write ``<app>/api.py`` with views subclassing ``tracking.apikit.views.MerchantAPIView``; start every
   query from ``self.merchant``; decorate every ``post``/``put`` with
   ``@tracking.apikit.idempotency.idempotent``; use
   nested Input/Output serializers and ``self.paginated(queryset, OutputSerializer)`` for lists.
2. Write ``<app>/api_urls.py`` with ``urlpatterns``; it is mounted at /api/v1/ automatically.
3. Raise ``django.core.exceptions.ValidationError({"field.path": [...]})`` (422) or
   ``tracking.errors.Conflict`` (409) from services; serializer errors give 400. All errors are RFC 9457
   problem documents; the route-walking isolation test covers the new routes without changes.
"""
