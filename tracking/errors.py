"""Errors services raise for conditions a caller must handle, independent of any transport.

Field-level validation failures use django.core.exceptions.ValidationError with a dict keyed by the
field's path in the input (``"lines.3.sku"``); the API turns both kinds into problem documents."""


class Conflict(Exception):
    """The request clashes with existing state (a duplicate tracking number, a key in use)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
