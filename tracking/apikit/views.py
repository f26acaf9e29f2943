from rest_framework.views import APIView

from tracking.apikit.pagination import IdCursorPagination


class MerchantAPIView(APIView):
    """Base for merchant API views. Authentication (Bearer key), scope permission, per-key throttling and
    problem-details errors come from settings.REST_FRAMEWORK; this adds the tenant and pagination.

    Every query MUST start from ``self.merchant`` so another merchant's rows answer 404."""

    pagination_class = IdCursorPagination

    @property
    def merchant(self):
        return self.request.auth.merchant

    def paginated(self, queryset, serializer_class):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)
