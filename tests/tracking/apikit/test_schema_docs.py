import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_is_openapi3_with_problem_responses_and_bearer_auth():
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["ApiKey"]["description"]}
    post = schema["paths"]["/api/v1/orders/"]["post"]
    assert {"201", "400", "401", "403", "409", "415", "422", "429"} <= set(post["responses"])
    assert "application/problem+json" in post["responses"]["422"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert {"/api/v1/shipments/{shipment_id}/", "/api/v1/products/", "/api/v1/webhook-endpoints/"} <= set(schema["paths"])


def test_docs_page_is_served_locally_with_its_own_csp():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "<script>" not in html  # init script is loaded from a URL, so no 'unsafe-inline' is needed
    assert not [u for u in re.findall(r'(?:src|href)="([^"]+)"', html) if u.startswith(("http:", "https:", "//"))]
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
