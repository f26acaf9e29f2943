from decimal import Decimal

import pytest

from returns.models import Refund, ReturnStatus
from returns.payments.mock import MockGateway
from returns.services import LineInspection, return_inspect, return_mark_received

from tests.support.returns import ask

pytestmark = pytest.mark.django_db


def test_refund_happy_path(order, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rr = ask(order)
    assert rr.status == ReturnStatus.APPROVED
    assert rr.shipment.is_return and rr.label_format == "qr_png"
    with django_capture_on_commit_callbacks(execute=True):
        return_mark_received(rr=rr, by=admin_user)
        return_inspect(rr=rr, by=admin_user, results=[LineInspection(line.pk, "accepted") for line in rr.lines.all()])
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REFUNDED
    assert Refund.objects.get(return_request=rr).amount == Decimal("50000")
    assert len(MockGateway.issued()) == 1
