"""OpenAPI additions: the Bearer API-key scheme and the problem-details responses every operation can
return (so contract tests can check error responses too)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from tracking.apikit.problems import PROBLEM_CONTENT_TYPE


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tracking.apikit.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A merchant API key (`ds_live_…`), created in admin and shown once.",
        }


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "pointer", "detail", "code"],
                "properties": {
                    "field": {"type": "string", "nullable": True, "description": "Dotted path, e.g. lines.3.sku"},
                    "pointer": {"type": "string", "description": "JSON pointer into the request body"},
                    "detail": {"type": "string"},
                    "code": {"type": "string", "nullable": True},
                },
            },
        },
    },
}

_DESCRIPTIONS = {
    "400": "Malformed request or invalid fields",
    "401": "Missing, invalid or revoked API key",
    "403": "The key's scope does not allow this",
    "404": "Not found (or belongs to another merchant)",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Conflicts with existing data or an Idempotency-Key in use",
    "415": "Unsupported media type",
    "422": "Valid JSON that cannot be processed (unknown SKU, quantities, reused Idempotency-Key)",
    "429": "Rate limit exceeded; see Retry-After",
}


def add_problem_responses(result, generator, request, public):
    """POSTPROCESSING_HOOK: declare problem responses on every /api/v1/ operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = ["400", "401", "403", "404", "405", "406", "429"]
            if method in ("post", "put", "patch"):
                codes += ["409", "415", "422"]
            for code in codes:
                operation["responses"].setdefault(code, {"description": _DESCRIPTIONS[code], "content": ref})
            if method in ("post", "put"):
                params = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in params):
                    params.append({
                        "in": "header", "name": "Idempotency-Key", "required": False,
                        "schema": {"type": "string", "maxLength": 255},
                        "description": "Retry-safe POSTs: the same key and body within 24 h replay the first "
                                       "response (header Idempotent-Replayed: true).",
                    })
    return result
