"""The OpenAPI schema generates without a single warning (check --deploy fails on them in CI) and
validates against the OpenAPI 3 specification."""
from io import StringIO

from django.core.management import call_command


def test_schema_generates_without_warnings_and_validates():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "openapi: 3" in out.getvalue()
