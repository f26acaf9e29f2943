"""Path converters for every public and API route: a path parameter never reaches a view (nor the
database, where PostgreSQL refuses NUL in text) unless it is printable and of sane length.

* ``<ident:…>`` — an identifier chosen by us, a store or a carrier: account public ids, order
  numbers, product ids, RMAs, store-credit codes, tracking numbers, file keys. 1–255 characters, no
  control character (NUL included), no slash.
* ``<token:…>`` — a signed link token: 1–1024 URL-safe characters (what django.core.signing makes).

Anything else does not match the route: a plain 404 (a problem document under /api/), never a 5xx.
Bytes that are not UTF-8 arrive percent-encoded (Django re-quotes them), so they are printable here
and simply match nothing."""
from django.urls import register_converter


class IdentConverter:
    regex = r"[^\x00-\x1f\x7f/]{1,255}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class TokenConverter(IdentConverter):
    regex = r"[A-Za-z0-9_\-:.=~]{1,1024}"


def register() -> None:
    register_converter(IdentConverter, "ident")
    register_converter(TokenConverter, "token")


register()
