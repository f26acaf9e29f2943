"""Browser tests for returns: a shopper returns two items for store credit with a label-free drop-off,
and a staff member approves, receives, inspects and credits in admin. Playwright + Debian's Chromium."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from returns.models import ReturnRequest, ReturnStatus
from returns.selectors import store_credit_balance
from returns.services import RequestedLine, return_policy_ensure, return_request
from tests.support.returns import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(settings, tmp_path, merchant):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return merchant, return_policy_ensure(merchant=merchant)


def test_shopper_returns_two_items_for_store_credit_by_drop_off(page, live_server, shop):
    page.set_default_timeout(30_000)  # a loaded CI machine renders slowly; the flow itself is what we test
    merchant, _policy = shop
    order = make_order(merchant)  # two lines: 25,000 × 1 and 12,500 × 2
    page.goto(f"{live_server.url}/returns/?shop=acme")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Email or postal code").fill(order.customer.email)
    page.get_by_role("button", name="Find my order").click()

    for line in order.lines.all():
        page.fill(f"#id_qty_{line.pk}", str(line.quantity))
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Changed my mind").check()
    page.get_by_label("Store credit with a 10% bonus").check()
    page.get_by_role("button", name="Continue").click()

    drop_off = page.get_by_label("Label-free drop-off (QR code)")
    assert drop_off.is_checked()  # the greenest method comes first and is preselected
    assert page.locator(".method.greenest").count() == 1
    page.get_by_role("button", name="Continue").click()

    assert "55,000" in page.locator("dd.total").inner_text()  # credit shown before confirming
    page.get_by_role("button", name="Confirm return").click()

    rr = ReturnRequest.objects.get()
    assert page.locator("h1").inner_text() == f"Return {rr.rma}"
    assert page.locator("img.qr").is_visible()
    assert rr.status == ReturnStatus.APPROVED and rr.resolution == "store_credit" and rr.method == "drop_off"
    assert rr.lines.count() == 2


def test_staff_approves_receives_inspects_and_credits_in_admin(page, live_server, shop, django_user_model):
    page.set_default_timeout(30_000)
    merchant, policy = shop
    policy.auto_approve = False
    policy.save()
    order = make_order(merchant)
    rr, _ = return_request(order=order, lines=[RequestedLine(line.pk, line.quantity) for line in order.lines.all()],
                           reason_code="changed_mind", resolution="store_credit", method="drop_off",
                           idempotency_key="e2e")
    assert rr.status == ReturnStatus.REQUESTED
    django_user_model.objects.create_superuser("lead", "lead@example.com", "a-long-pass-123")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "lead")
    page.fill("#id_password", "a-long-pass-123")
    page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/returns/needsreview/")
    page.get_by_role("link", name=rr.rma).click()
    page.get_by_role("link", name="Approve").click()
    page.fill("textarea[name=note]", "Looks fine")
    page.click("input[type=submit][value='Approve return']")
    expect(page.locator("ul.messagelist")).to_contain_text("Approved 1 return")

    page.get_by_role("button", name="Mark received").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Marked received 1 return")
    page.get_by_role("link", name="Inspect", exact=True).click()
    page.select_option("select[name='form-1-result']", "partial")
    page.fill("input[name='form-1-accepted_quantity']", "1")
    page.fill("input[name='form-1-note']", "one was worn")
    page.click("input[type=submit][value='Record inspection']")
    expect(page.locator("ul.messagelist")).to_contain_text(f"Inspection of {rr.rma} recorded")

    rr.refresh_from_db()
    assert rr.status == ReturnStatus.CREDITED
    # 25,000 + 1 × 12,500 accepted = 37,500, +10% bonus.
    assert store_credit_balance(order.customer) == Decimal("41250")
    trail = page.locator(".inline-group", has_text="audit trail").inner_text()
    assert "credited" in trail and "lead" in trail
