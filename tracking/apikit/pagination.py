from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Opaque cursors over a unique, immutable column, so pages stay stable while rows are added."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
