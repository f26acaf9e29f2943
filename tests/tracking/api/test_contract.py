"""Contract test: schemathesis generates requests from the OpenAPI schema Doorstep serves and checks the
responses against it — no 5xx, documented status codes, content types and bodies. In-process over WSGI."""
import socket

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from config.wsgi import application
from tests.support.api import KeyClient
from tests.factories import OrderLineFactory, ProductVariantFactory, ShipmentFactory, ShipmentLineFactory

# The coverage phase enumerates every boundary case of every field (hundreds per operation); the fuzzing
# phase with a fixed example budget keeps this test to seconds. Run schemathesis' CLI for the deep sweep.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _keep_test_connection():
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections would
    close the test transaction's connection (PostgreSQL); Django's own test client disconnects it too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def contract_key(_keep_test_connection, merchant, settings, monkeypatch):
    settings.DOORSTEP_API_RATE = "100000/min"
    # Generated webhook URLs must not cause real DNS lookups: every host "resolves" to a public address.
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))])
    # Something to find, so detail and list responses carry real bodies.
    variant = ProductVariantFactory(product__merchant=merchant, product__external_id="p1", sku="SKU-1")
    line = OrderLineFactory(order__merchant=merchant, order__number="1001", variant=variant)
    ShipmentLineFactory(shipment=ShipmentFactory(order=line.order), order_line=line)
    return KeyClient(merchant).raw_key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case, contract_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {contract_key}"}, checks=CHECKS)
